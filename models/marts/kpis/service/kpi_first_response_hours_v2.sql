{#-
    first_response_hours v2: mean of (first_response_at − created_at) counted in business hours over
    tickets created in the period that have a response. The business hours (var business_hours_start/
    end and business_days in crm_timezone, holidays excluded, DST-correct) are computed per ticket in
    int_ticket_timings (first_response_business_hours) from int_business_calendar.
-#}
with

tickets as (
    select * from {{ ref('fct_tickets') }}
),

responded_tickets as (
    select
        created_at as event_at,
        first_response_business_hours as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from tickets
    where has_first_response
),

{{ kpi_rollup(
    'responded_tickets', 'first_response_hours', 2, 'mean',
    breakdowns=kpi_owner_breakdowns()
) }}
