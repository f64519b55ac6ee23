{#- Web sessions of visitors. Breakdown attributes come from the customer, when the visitor is known. -#}
with

sessions as (
    select * from {{ ref('stg_crm__web_sessions') }}
),

customer_breakdowns as (
    select * from {{ ref('int_customer_breakdowns') }}
),

final as (
    select
        -- keys
        sessions.session_id,
        sessions.visitor_id,
        sessions.customer_id,
        -- measures
        sessions.duration_seconds,
        cast(sessions.duration_seconds as double) / 60.0 as duration_minutes,
        -- flags
        sessions.converted,
        customer_breakdowns.customer_id is not null as has_known_customer,
        -- timestamps
        sessions.started_at,
        -- breakdown attributes
        customer_breakdowns.user_id,
        customer_breakdowns.team,
        customer_breakdowns.segment,
        customer_breakdowns.region,
        customer_breakdowns.acquisition_channel
    from sessions
    left join customer_breakdowns
        on sessions.customer_id = customer_breakdowns.customer_id
)

select * from final
