{#- licensed_users v1: users whose licence overlaps the period (int_user_periods). -#}
with

user_periods as (
    select * from {{ ref('int_user_periods') }}
),

licensed as (
    select
        period_grain,
        period_start,
        1 as measure,
        team
    from user_periods
    where is_licensed
),

{{ kpi_rollup(
    'licensed', 'licensed_users', 1, 'sum',
    breakdowns=['team'], time_basis='period'
) }}
