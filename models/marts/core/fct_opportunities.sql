{#-
    Opportunities with their sales cycle (int_opportunity_cycles). Breakdown attributes: user_id =
    the opportunity owner and that user's team; segment, region, acquisition_channel of the customer.
-#}
with

cycles as (
    select * from {{ ref('int_opportunity_cycles') }}
),

users as (
    select * from {{ ref('int_user_licences') }}
),

customer_breakdowns as (
    select * from {{ ref('int_customer_breakdowns') }}
),

final as (
    select
        -- keys
        cycles.opportunity_id,
        cycles.customer_id,
        cycles.lead_id,
        cycles.campaign_id,
        -- attributes
        cycles.opportunity_type,
        cycles.stage,
        cycles.currency,
        -- money
        cycles.amount,
        cycles.amount_original,
        -- flags
        cycles.is_closed,
        cycles.is_won,
        cycles.is_lost,
        customer_breakdowns.customer_id is not null as has_known_customer,
        -- cycle
        cycles.cycle_days,
        -- timestamps
        cycles.created_at,
        cycles.closed_at,
        cycles.open_from,
        cycles.open_until,
        -- breakdown attributes
        cycles.owner_user_id as user_id,
        users.team,
        customer_breakdowns.segment,
        customer_breakdowns.region,
        customer_breakdowns.acquisition_channel
    from cycles
    left join users
        on cycles.owner_user_id = users.user_id
    left join customer_breakdowns
        on cycles.customer_id = customer_breakdowns.customer_id
)

select * from final
