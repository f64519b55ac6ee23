{#-
    resolution_hours_median v1: median of (resolved_at − created_at) in calendar hours over tickets
    resolved in the period (even count: mean of the two middle values).
-#}
with

tickets as (
    select * from {{ ref('fct_tickets') }}
),

resolved_tickets as (
    select
        resolved_at as event_at,
        resolution_hours as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from tickets
    where is_resolved
),

{{ kpi_rollup(
    'resolved_tickets', 'resolution_hours_median', 1, 'median',
    breakdowns=kpi_owner_breakdowns()
) }}
