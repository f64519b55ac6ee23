{#-
    resolution_hours v2: mean of (resolved_at − created_at) counted in business hours over tickets
    resolved in the period (placed by resolved_at). The business hours (var business_hours_start/end
    and business_days in crm_timezone, holidays excluded, DST-correct) are computed per ticket in
    int_ticket_timings (resolution_business_hours) from int_business_calendar.
-#}
with

tickets as (
    select * from {{ ref('fct_tickets') }}
),

resolved_tickets as (
    select
        resolved_at as event_at,
        resolution_business_hours as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from tickets
    where is_resolved
),

{{ kpi_rollup(
    'resolved_tickets', 'resolution_hours', 2, 'mean',
    breakdowns=kpi_owner_breakdowns()
) }}
