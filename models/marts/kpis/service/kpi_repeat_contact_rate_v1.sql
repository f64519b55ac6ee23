{#-
    repeat_contact_rate v1: share of tickets created in the period that were reopened or followed within
    var repeat_contact_window_days by another ticket of the same customer (int_ticket_timings).
-#}
with

tickets as (
    select * from {{ ref('fct_tickets') }}
),

created_tickets as (
    select
        created_at as event_at,
        case when is_repeat_contact then 1 else 0 end as numerator,
        1 as denominator,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from tickets
),

{{ kpi_rollup(
    'created_tickets', 'repeat_contact_rate', 1, 'ratio',
    breakdowns=kpi_owner_breakdowns()
) }}
