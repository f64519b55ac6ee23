{#-
    Support tickets with response and resolution times (int_ticket_timings). Breakdown attributes:
    user_id = the assigned user and that user's team; segment, region, acquisition_channel of the customer.
-#}
{%- set repeat_days = var('repeat_contact_window_days') | int %}

-- depends_on: {{ ref('stg_crm__customers') }} (changed customers, incremental runs)
{{ config(
    materialized=crm_fact_materialization(),
    unique_key='ticket_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

timings as (
    select * from {{ ref('int_ticket_timings') }}
    {%- if is_incremental() %}
    where
        greatest(updated_at, created_at, first_response_at, resolved_at) >= {{ crm_incremental_cutoff('changed_at') }}
        -- a new ticket makes the customer's tickets of the days before it repeat contacts
        or created_at >= {{ dbt.dateadd('day', -repeat_days, crm_incremental_cutoff('changed_at')) }}
        or customer_id in {{ crm_changed_customers('changed_at') }}
    {%- endif %}
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
        timings.ticket_id,
        timings.customer_id,
        -- attributes
        timings.category,
        timings.channel,
        timings.priority,
        timings.status,
        timings.resolution,
        timings.reopened_count,
        -- durations (hours)
        timings.first_response_hours,
        timings.resolution_hours,
        timings.first_response_business_hours,
        timings.resolution_business_hours,
        -- flags
        timings.has_first_response,
        timings.is_resolved,
        timings.is_solved,
        timings.is_countable_resolution,
        timings.is_repeat_contact,
        timings.is_complaint,
        customer_breakdowns.customer_id is not null as has_known_customer,
        -- timestamps
        timings.created_at,
        timings.first_response_at,
        timings.resolved_at,
        greatest(timings.updated_at, timings.created_at, timings.first_response_at, timings.resolved_at)
            as changed_at,
        -- breakdown attributes
        timings.assigned_user_id as user_id,
        users.team,
        customer_breakdowns.segment,
        customer_breakdowns.region,
        customer_breakdowns.acquisition_channel
    from timings
    left join users
        on timings.assigned_user_id = users.user_id
    left join customer_breakdowns
        on timings.customer_id = customer_breakdowns.customer_id
)

select * from final
