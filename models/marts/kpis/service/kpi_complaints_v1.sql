{#- complaints v1: count of tickets of category complaint created in the period. -#}
with

tickets as (
    select * from {{ ref('fct_tickets') }}
),

complaint_tickets as (
    select
        created_at as event_at,
        1 as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from tickets
    where is_complaint
),

{{ kpi_rollup(
    'complaint_tickets', 'complaints', 1, 'sum',
    breakdowns=kpi_owner_breakdowns()
) }}
