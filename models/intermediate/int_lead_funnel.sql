{#-
    Per lead: contact speed, the contact SLA, qualification and conversion, as known at as_of.
      sla_deadline_at = created_at + lead_contact_sla_hours;
      is_lost_lead: the SLA has passed (deadline <= as_of_at) and the lead was not contacted by the
        deadline (contacted later, or never); contacted exactly at the deadline is within the SLA;
      is_converted_within_window: converted within lead_conversion_window_days of creation;
      is_window_closed: that window has ended by as_of (the cohort is old enough for v2 conversion).
    The e-mail is carried only as a keyed hash.
-#}
{#- in whole seconds, so a fractional setting (1.5 hours) is honoured -#}
{%- set sla_seconds = (var('lead_contact_sla_hours') | float * 3600) | round | int -%}
{%- set window_days = var('lead_conversion_window_days') | int -%}

with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

deadlines as (
    select
        leads.*,
        {{ dbt.dateadd('second', sla_seconds, 'leads.created_at') }} as sla_deadline_at,
        {{ dbt.dateadd('day', window_days, 'leads.created_at') }} as conversion_window_end_at,
        case when leads.first_contacted_at <= settings.as_of_at then leads.first_contacted_at end
            as known_first_contacted_at,
        settings.as_of_at
    from leads
    cross join settings
),

final as (
    select
        -- keys
        deadlines.lead_id,
        deadlines.owner_user_id,
        deadlines.campaign_id,
        deadlines.converted_customer_id,
        -- attributes
        deadlines.source_channel,
        deadlines.status,
        deadlines.estimated_value,
        -- contact
        {{ hours_between('deadlines.created_at', 'deadlines.known_first_contacted_at') }} as response_hours,
        deadlines.known_first_contacted_at is not null as is_contacted,
        deadlines.sla_deadline_at,
        deadlines.sla_deadline_at <= deadlines.as_of_at
        and (
            deadlines.known_first_contacted_at is null
            or deadlines.known_first_contacted_at > deadlines.sla_deadline_at
        ) as is_lost_lead,
        -- qualification and conversion
        coalesce(deadlines.qualified_at <= deadlines.as_of_at, false) as is_qualified,
        coalesce(deadlines.converted_at <= deadlines.as_of_at, false) as is_converted,
        coalesce(
            deadlines.converted_at <= deadlines.as_of_at
            and deadlines.converted_at <= deadlines.conversion_window_end_at,
            false
        ) as is_converted_within_window,
        deadlines.conversion_window_end_at <= deadlines.as_of_at as is_window_closed,
        -- contact data quality (hashed)
        {{ pii_hash('deadlines.email') }} as email_hash,
        deadlines.email is not null as has_email,
        deadlines.is_email_valid,
        -- timestamps
        deadlines.created_at,
        deadlines.first_contacted_at,
        deadlines.qualified_at,
        deadlines.converted_at
    from deadlines
)

select * from final
