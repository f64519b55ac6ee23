{#-
    Leads with their funnel (int_lead_funnel). Breakdown attributes: user_id = the lead owner and that
    user's team; segment and region of the converted customer; acquisition_channel = source_channel.
    The e-mail is only there as a keyed hash.
-#}
with

funnel as (
    select * from {{ ref('int_lead_funnel') }}
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
        funnel.lead_id,
        funnel.campaign_id,
        funnel.converted_customer_id,
        -- attributes
        funnel.source_channel,
        funnel.status,
        funnel.estimated_value,
        -- contact
        funnel.response_hours,
        funnel.is_contacted,
        funnel.sla_deadline_at,
        funnel.is_lost_lead,
        -- qualification and conversion
        funnel.is_qualified,
        funnel.is_converted,
        funnel.is_converted_within_window,
        funnel.is_window_closed,
        -- contact data (hashed) and quality
        funnel.email_hash,
        funnel.has_email,
        funnel.is_email_valid,
        -- timestamps
        funnel.created_at,
        funnel.first_contacted_at,
        funnel.qualified_at,
        funnel.converted_at,
        -- breakdown attributes
        funnel.owner_user_id as user_id,
        users.team,
        customer_breakdowns.segment,
        customer_breakdowns.region,
        funnel.source_channel as acquisition_channel
    from funnel
    left join users
        on funnel.owner_user_id = users.user_id
    left join customer_breakdowns
        on funnel.converted_customer_id = customer_breakdowns.customer_id
)

select * from final
