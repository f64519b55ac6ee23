-- Sales rep leaderboard with quota attainment, for the latest complete fiscal quarter.
--
-- One row per sales user: quota attainment (won revenue / sales target, the quota_attainment
-- KPI), revenue, win rate and average deal size from kpi_values (breakdown user_id), with the
-- user's team and role from dim_users, ranked by quota attainment. Users without a target have
-- no attainment and sort last. Change the grain to 'month' or 'year' for another period.

with

latest_quarter as (
    select max(period_start) as period_start
    from {{ ref('kpi_values') }}
    where
        period_grain = 'quarter'
        and is_period_complete
        and breakdown = 'overall'
),

per_user as (
    select
        kpi_values.breakdown_value as user_id,
        kpi_values.period_start,
        max(case when kpi_values.kpi_id = 'quota_attainment' then kpi_values.value end) as quota_attainment,
        max(case when kpi_values.kpi_id = 'revenue' then kpi_values.value end) as revenue,
        max(case when kpi_values.kpi_id = 'win_rate' then kpi_values.value end) as win_rate,
        max(case when kpi_values.kpi_id = 'average_deal_size' then kpi_values.value end) as average_deal_size
    from {{ ref('kpi_values') }} as kpi_values
    inner join latest_quarter on kpi_values.period_start = latest_quarter.period_start
    where
        kpi_values.is_latest_version
        and kpi_values.period_grain = 'quarter'
        and kpi_values.breakdown = 'user_id'
        and kpi_values.kpi_id in ('quota_attainment', 'revenue', 'win_rate', 'average_deal_size')
    group by kpi_values.breakdown_value, kpi_values.period_start
)

select
    per_user.period_start as quarter_start,
    per_user.user_id,
    dim_users.team,
    dim_users.role,
    per_user.quota_attainment,
    per_user.revenue,
    per_user.win_rate,
    per_user.average_deal_size,
    rank() over (order by per_user.quota_attainment desc nulls last) as attainment_rank
from per_user
left join {{ ref('dim_users') }} as dim_users on per_user.user_id = dim_users.user_id
order by attainment_rank, per_user.user_id
