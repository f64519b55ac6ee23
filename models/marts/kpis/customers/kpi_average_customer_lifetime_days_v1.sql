{#- average_customer_lifetime_days v1: mean days from first active to churn, over the churns in the period. -#}
with

churn_events as (
    select * from {{ ref('int_customer_churn_events') }}
),

churns as (
    select
        churned_at as event_at,
        lifetime_days as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from churn_events
),

{{ kpi_rollup(
    'churns', 'average_customer_lifetime_days', 1, 'mean',
    breakdowns=kpi_owner_breakdowns()
) }}
