{#- active_user_rate v1: licensed users with at least one usage event in the period / licensed users. -#}
with

user_periods as (
    select * from {{ ref('int_user_periods') }}
),

licensed as (
    select
        period_grain,
        period_start,
        case when has_usage_event then 1 else 0 end as numerator,
        1 as denominator,
        team
    from user_periods
    where is_licensed
),

{{ kpi_rollup(
    'licensed', 'active_user_rate', 1, 'ratio',
    breakdowns=['team'], time_basis='period', requires=['usage_events']
) }}
