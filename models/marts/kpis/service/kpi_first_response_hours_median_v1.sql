{#-
    first_response_hours_median v1: median of (first_response_at − created_at) in calendar hours over
    tickets created in the period that have a response (even count: mean of the two middle values).
-#}
with

tickets as (
    select * from {{ ref('fct_tickets') }}
),

responded_tickets as (
    select
        created_at as event_at,
        first_response_hours as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from tickets
    where has_first_response
),

{{ kpi_rollup(
    'responded_tickets', 'first_response_hours_median', 1, 'median',
    breakdowns=kpi_owner_breakdowns()
) }}
