{#-
    training_completion_rate v1: licensed users with at least one training completed before the end
    instant of the period / licensed users (int_user_periods).
-#}
with

user_periods as (
    select * from {{ ref('int_user_periods') }}
),

licensed as (
    select
        period_grain,
        period_start,
        case when has_completed_training_by_end then 1 else 0 end as numerator,
        1 as denominator,
        team
    from user_periods
    where is_licensed
),

{{ kpi_rollup(
    'licensed', 'training_completion_rate', 1, 'ratio',
    breakdowns=['team'], time_basis='period', requires=['trainings']
) }}
