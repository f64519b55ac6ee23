{#-
    CRM activities. A task or follow-up is open while occurred_at is empty; it is overdue when it has a
    due date and was completed after it, or is still open after it (due_at < as_of_at).
    Breakdown attributes: the activity's user and team; segment, region, acquisition_channel of the customer.
-#}

-- depends_on: {{ ref('stg_crm__customers') }} (changed customers, incremental runs)
{{ config(
    materialized=crm_fact_materialization(),
    unique_key='activity_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

activities as (
    select * from {{ ref('stg_crm__activities') }}
    {%- if is_incremental() %}
    where
        greatest(occurred_at, due_at) >= {{ crm_incremental_cutoff('changed_at') }}
        -- open tasks become overdue as as_of moves on
        or occurred_at is null
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
        activities.activity_id,
        activities.customer_id,
        activities.lead_id,
        activities.opportunity_id,
        -- attributes
        activities.activity_type,
        -- flags
        activities.is_automated,
        activities.occurred_at is null as is_open,
        activities.activity_type in ('task', 'follow_up') as is_follow_up_kind,
        coalesce(
            activities.due_at is not null
            and (
                activities.occurred_at > activities.due_at
                or (activities.occurred_at is null and activities.due_at < settings.as_of_at)
            ),
            false
        ) as is_overdue,
        -- timestamps
        activities.occurred_at,
        activities.due_at,
        greatest(activities.occurred_at, activities.due_at) as changed_at,
        -- breakdown attributes
        activities.user_id,
        users.team,
        customer_breakdowns.segment,
        customer_breakdowns.region,
        customer_breakdowns.acquisition_channel
    from activities
    cross join settings
    left join users
        on activities.user_id = users.user_id
    left join customer_breakdowns
        on activities.customer_id = customer_breakdowns.customer_id
)

select * from final
