{#- average_session_minutes v1: mean of duration_seconds / 60 over web sessions started in the period (with a duration). -#}
with

web_sessions as (
    select * from {{ ref('fct_web_sessions') }}
),

timed_sessions as (
    select
        started_at as event_at,
        duration_minutes as measure
    from web_sessions
    where duration_seconds is not null
),

{{ kpi_rollup(
    'timed_sessions', 'average_session_minutes', 1, 'mean',
    requires=['web_sessions.duration_seconds']
) }}
