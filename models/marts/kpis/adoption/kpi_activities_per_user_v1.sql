{#-
    activities_per_user v1: activities that occurred in the period / licensed users (int_user_periods).
    By user_id: the user's activities / 1 (null when not licensed in the period); by team: the team's
    activities / its licensed users; by activity_type: that type's activities / ALL licensed users.
-#}
with

activities as (
    select * from {{ ref('fct_activities') }}
),

user_periods as (
    select * from {{ ref('int_user_periods') }}
),

occurred_activities as (
    select
        occurred_at as event_at,
        1 as numerator,
        0 as denominator,
        user_id,
        team,
        activity_type
    from activities
    where occurred_at is not null
),

activities_in_periods as (
    {{ kpi_events_in_periods('occurred_activities') }}
),

licensed_users as (
    select
        period_grain,
        period_start,
        cast(null as timestamp) as event_at,
        0 as numerator,
        1 as denominator,
        user_id,
        team,
        cast(null as varchar) as activity_type
    from user_periods
    where is_licensed
),

activity_type_rows as (
    {{ kpi_breakdown_of_period_total('activities_in_periods', 'licensed_users', 'activity_type') }}
),

activities_and_users as (
    select * from activities_in_periods
    union all
    select * from licensed_users
),

{{ kpi_rollup_with_rows(
    'activity_type_rows', 'activities_and_users', 'activities_per_user', 1, 'ratio',
    breakdowns=['user_id', 'team'], time_basis='period', requires=['activities']
) }}
