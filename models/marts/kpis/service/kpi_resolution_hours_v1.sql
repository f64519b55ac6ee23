{#-
    resolution_hours v1: mean of (resolved_at − created_at) in calendar hours over tickets resolved in
    the period (placed by resolved_at).
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
    'resolved_tickets', 'resolution_hours', 1, 'mean',
    breakdowns=kpi_owner_breakdowns()
) }}
