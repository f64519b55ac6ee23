{#- automation_rate v1: activities with is_automated / all activities in the period (occurred_at). -#}
with

activities as (
    select * from {{ ref('fct_activities') }}
),

occurred_activities as (
    select
        occurred_at as event_at,
        case when is_automated then 1 else 0 end as numerator,
        1 as denominator,
        user_id,
        team,
        activity_type
    from activities
    where occurred_at is not null
),

{{ kpi_rollup(
    'occurred_activities', 'automation_rate', 1, 'ratio',
    breakdowns=['user_id', 'team', 'activity_type'], requires=['activities']
) }}
