{#-
    visitor_conversion_rate v1: distinct visitors with a converted session / distinct visitors, over the
    web sessions started in the period (both counted from the sessions at every grain, never summed from
    months; a session with converted null is not converted). Not available without web_sessions.
-#}
with

web_sessions as (
    select * from {{ ref('fct_web_sessions') }}
),

sessions as (
    select
        started_at as event_at,
        case when converted then visitor_id end as converted_visitor_id,
        visitor_id
    from web_sessions
),

{{ kpi_rollup(
    'sessions', 'visitor_conversion_rate', 1, 'ratio',
    requires=['web_sessions'],
    numerator_distinct='converted_visitor_id', denominator_distinct='visitor_id'
) }}
