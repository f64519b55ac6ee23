{#-
    complaint_response_hours v1: mean of (first_response_at − created_at) in calendar hours over
    complaint tickets created in the period that have a response.
-#}
with

tickets as (
    select * from {{ ref('fct_tickets') }}
),

responded_complaints as (
    select
        created_at as event_at,
        first_response_hours as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from tickets
    where is_complaint and has_first_response
),

{{ kpi_rollup(
    'responded_complaints', 'complaint_response_hours', 1, 'mean',
    breakdowns=kpi_owner_breakdowns()
) }}
