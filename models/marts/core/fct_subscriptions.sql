{#-
    Subscriptions. has_renewal: another subscription names this one as renewed_from_subscription_id.
    is_ended: ended at or before as_of. Breakdown attributes come from the customer.
-#}
with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

subscriptions as (
    select * from {{ ref('stg_crm__subscriptions') }}
),

customer_breakdowns as (
    select * from {{ ref('int_customer_breakdowns') }}
),

renewed as (
    select distinct subscriptions.renewed_from_subscription_id as subscription_id
    from subscriptions
    where subscriptions.renewed_from_subscription_id is not null
),

final as (
    select
        -- keys
        subscriptions.subscription_id,
        subscriptions.customer_id,
        subscriptions.renewed_from_subscription_id,
        -- attributes
        subscriptions.plan,
        subscriptions.cancel_reason,
        subscriptions.currency,
        -- money
        subscriptions.annual_value,
        subscriptions.annual_value_original,
        -- flags
        renewed.subscription_id is not null as has_renewal,
        coalesce(subscriptions.ended_at <= settings.as_of_at, false) as is_ended,
        customer_breakdowns.customer_id is not null as has_known_customer,
        -- timestamps
        subscriptions.started_at,
        subscriptions.ended_at,
        -- breakdown attributes
        customer_breakdowns.user_id,
        customer_breakdowns.team,
        customer_breakdowns.segment,
        customer_breakdowns.region,
        customer_breakdowns.acquisition_channel
    from subscriptions
    cross join settings
    left join customer_breakdowns
        on subscriptions.customer_id = customer_breakdowns.customer_id
    left join renewed
        on subscriptions.subscription_id = renewed.subscription_id
)

select * from final
