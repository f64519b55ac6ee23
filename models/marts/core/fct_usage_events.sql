{#- CRM usage log. Breakdown attributes: the user, their team and region (no segment or channel). -#}

{{ config(
    materialized=crm_fact_materialization(),
    unique_key='event_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

usage_events as (
    select * from {{ ref('stg_crm__usage_events') }}
    {%- if is_incremental() %}
    where
        occurred_at >= {{ crm_incremental_cutoff('changed_at') }}
    {%- endif %}
),

users as (
    select * from {{ ref('int_user_licences') }}
),

final as (
    select
        -- key
        usage_events.event_id,
        -- attributes
        usage_events.event_type,
        -- timestamps
        usage_events.occurred_at,
        usage_events.occurred_at as changed_at,
        -- breakdown attributes
        usage_events.user_id,
        users.team,
        cast(null as {{ dbt.type_string() }}) as segment,
        users.region,
        cast(null as {{ dbt.type_string() }}) as acquisition_channel
    from usage_events
    left join users
        on usage_events.user_id = users.user_id
)

select * from final
