{#-
    overdue_follow_up_rate v1: tasks and follow-ups due in the period (due_at) that were completed
    after due_at or are still open at as_of after it / tasks and follow-ups due in the period.
-#}
with

activities as (
    select * from {{ ref('fct_activities') }}
),

due_follow_ups as (
    select
        due_at as event_at,
        case when is_overdue then 1 else 0 end as numerator,
        1 as denominator,
        user_id,
        team
    from activities
    where is_follow_up_kind and due_at is not null
),

{{ kpi_rollup(
    'due_follow_ups', 'overdue_follow_up_rate', 1, 'ratio',
    breakdowns=['user_id', 'team'], requires=['activities']
) }}
