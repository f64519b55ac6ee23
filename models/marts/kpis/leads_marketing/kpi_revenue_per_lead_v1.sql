{#-
    revenue_per_lead v1: revenue in the period from customers that came from a lead (completed orders of
    a customer that is some lead's converted_customer_id, event ordered_at) / leads qualified in the
    period (event qualified_at). The two kinds of rows fall in their own periods; overall only.
-#}
with

orders as (
    select * from {{ ref('fct_orders') }}
),

leads as (
    select * from {{ ref('fct_leads') }}
),

revenue_and_qualified_leads as (
    select
        ordered_at as event_at,
        amount as numerator,
        0 as denominator
    from orders
    where is_completed and is_from_converted_lead
    union all
    select
        qualified_at as event_at,
        0 as numerator,
        1 as denominator
    from leads
    where qualified_at is not null
),

{{ kpi_rollup('revenue_and_qualified_leads', 'revenue_per_lead', 1, 'ratio') }}
