{#- tickets_created v1: count of tickets created in the period. -#}
with

tickets as (
    select * from {{ ref('fct_tickets') }}
),

created_tickets as (
    select
        created_at as event_at,
        1 as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from tickets
),

{{ kpi_rollup(
    'created_tickets', 'tickets_created', 1, 'sum',
    breakdowns=kpi_owner_breakdowns()
) }}
