{#-
    Customers: attributes, activity status at as_of, realised value and data quality, with contact
    data only as keyed hashes (no names, e-mails or phones in clear).
    realised_lifetime_value = lifetime_gross_profit when the customer has completed orders with cost
    data, else lifetime_revenue (realised_value_basis says which).
-#}
with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

users as (
    select * from {{ ref('int_user_licences') }}
),

quality as (
    select * from {{ ref('int_customer_quality') }}
),

spans as (
    select * from {{ ref('int_customer_activity_spans') }}
),

orders as (
    select * from {{ ref('stg_crm__orders') }}
),

activity as (
    select
        spans.customer_id,
        min(spans.first_active_at) as first_active_at,
        max(spans.churned_at) as last_churned_at,
        max(spans.activity_basis) as activity_basis,
        max(
            case
                when
                    spans.span_start <= settings.as_of_at
                    and (spans.span_end is null or spans.span_end > settings.as_of_at)
                    then 1
                else 0
            end
        ) = 1 as is_active_at_as_of
    from spans
    cross join settings
    group by spans.customer_id
),

order_totals as (
    select
        orders.customer_id,
        count(*) as completed_order_count,
        sum(orders.amount) as lifetime_revenue,
        sum(case when orders.cost_amount is not null then orders.amount - orders.cost_amount end)
            as lifetime_gross_profit
    from orders
    cross join settings
    where
        orders.status = 'completed'
        and orders.ordered_at <= settings.as_of_at
    group by orders.customer_id
),

final as (
    select
        -- key
        customers.customer_id,
        -- attributes
        customers.segment,
        customers.industry,
        customers.region,
        customers.country,
        customers.acquisition_channel,
        customers.owner_user_id,
        users.team as owner_team,
        -- activity
        customers.created_at,
        activity.first_active_at,
        activity.last_churned_at,
        coalesce(activity.is_active_at_as_of, false) as is_active_at_as_of,
        coalesce(activity.activity_basis, 'order') as activity_basis,
        -- value
        cast(coalesce(order_totals.completed_order_count, 0) as integer) as completed_order_count,
        coalesce(order_totals.lifetime_revenue, 0) as lifetime_revenue,
        order_totals.lifetime_gross_profit,
        coalesce(order_totals.lifetime_gross_profit, order_totals.lifetime_revenue, 0) as realised_lifetime_value,
        case when order_totals.lifetime_gross_profit is not null then 'gross_profit' else 'revenue' end
            as realised_value_basis,
        -- contact data (hashed) and quality
        quality.email_hash,
        quality.phone_hash,
        quality.has_email,
        quality.has_phone,
        quality.is_email_valid,
        quality.is_profile_complete,
        quality.is_duplicate
    from customers
    left join users
        on customers.owner_user_id = users.user_id
    left join quality
        on customers.customer_id = quality.customer_id
    left join activity
        on customers.customer_id = activity.customer_id
    left join order_totals
        on customers.customer_id = order_totals.customer_id
)

select * from final
