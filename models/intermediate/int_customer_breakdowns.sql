{#-
    The five breakdown attributes of a customer, used by every fact that has a customer:
    user_id (the account owner), team (the owner's team), segment, region, acquisition_channel.
-#}
with

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

users as (
    select * from {{ ref('stg_crm__users') }}
),

final as (
    select
        -- key
        customers.customer_id,
        -- breakdown attributes
        customers.owner_user_id as user_id,
        users.team,
        customers.segment,
        customers.region,
        customers.acquisition_channel
    from customers
    left join users
        on customers.owner_user_id = users.user_id
)

select * from final
