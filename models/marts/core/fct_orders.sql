{#-
    Orders, one row per order. is_completed: status completed and ordered at or before as_of.
    Breakdown attributes come from the customer (user_id = the customer's owner).
-#}

-- depends_on: {{ ref('stg_crm__customers') }} (changed customers, incremental runs)
{{ config(
    materialized=crm_fact_materialization(),
    unique_key='order_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

orders as (
    select * from {{ ref('stg_crm__orders') }}
    {%- if is_incremental() %}
    where
        greatest(updated_at, ordered_at, fulfilled_at) >= {{ crm_incremental_cutoff('changed_at') }}
        or customer_id in {{ crm_changed_customers('changed_at') }}
    {%- endif %}
),

customer_breakdowns as (
    select * from {{ ref('int_customer_breakdowns') }}
),

lead_funnel as (
    select * from {{ ref('int_lead_funnel') }}
),

-- customers that came from a lead
lead_customers as (
    select distinct lead_funnel.converted_customer_id as customer_id
    from lead_funnel
    where lead_funnel.converted_customer_id is not null
),

final as (
    select
        -- keys
        orders.order_id,
        orders.customer_id,
        orders.opportunity_id,
        -- attributes
        orders.status,
        orders.currency,
        -- money (reporting currency; *_original in the order's currency)
        orders.amount,
        orders.amount_original,
        orders.cost_amount,
        orders.cost_amount_original,
        case when orders.cost_amount is not null then orders.amount - orders.cost_amount end as gross_profit,
        -- durations
        case
            when orders.fulfilled_at is not null
                then {{ hours_between('orders.ordered_at', 'orders.fulfilled_at') }}
        end as processing_hours,
        -- flags
        orders.status = 'completed' and orders.ordered_at <= settings.as_of_at as is_completed,
        orders.cost_amount is not null as has_cost_data,
        customer_breakdowns.customer_id is not null as has_known_customer,
        lead_customers.customer_id is not null as is_from_converted_lead,
        -- timestamps
        orders.ordered_at,
        orders.fulfilled_at,
        greatest(orders.updated_at, orders.ordered_at, orders.fulfilled_at) as changed_at,
        -- breakdown attributes
        customer_breakdowns.user_id,
        customer_breakdowns.team,
        customer_breakdowns.segment,
        customer_breakdowns.region,
        customer_breakdowns.acquisition_channel
    from orders
    cross join settings
    left join customer_breakdowns
        on orders.customer_id = customer_breakdowns.customer_id
    left join lead_customers
        on orders.customer_id = lead_customers.customer_id
)

select * from final
