{#-
    Opportunities with their sales cycle. An opportunity is closed when its stage is closed_won or
    closed_lost and closed_at is at or before as_of. It is open at an instant t when it was created
    before t and not closed before t:
        open_from < t and (open_until is null or open_until >= t)
    (macro `opportunity_is_open_at`).
-#}
with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

flagged as (
    select
        opportunities.*,
        coalesce(
            opportunities.stage in ('closed_won', 'closed_lost')
            and opportunities.closed_at <= settings.as_of_at,
            false
        ) as is_closed
    from opportunities
    cross join settings
),

final as (
    select
        -- keys
        flagged.opportunity_id,
        flagged.customer_id,
        flagged.lead_id,
        flagged.owner_user_id,
        leads.campaign_id,
        -- attributes
        flagged.opportunity_type,
        flagged.stage,
        flagged.currency,
        -- money
        flagged.amount,
        flagged.amount_original,
        -- flags
        flagged.is_closed,
        flagged.is_closed and flagged.stage = 'closed_won' as is_won,
        flagged.is_closed and flagged.stage = 'closed_lost' as is_lost,
        -- cycle
        case when flagged.is_closed then {{ days_between('flagged.created_at', 'flagged.closed_at') }} end
            as cycle_days,
        -- timestamps
        flagged.created_at,
        flagged.closed_at,
        flagged.created_at as open_from,
        case when flagged.is_closed then flagged.closed_at end as open_until
    from flagged
    left join leads
        on flagged.lead_id = leads.lead_id
)

select * from final
