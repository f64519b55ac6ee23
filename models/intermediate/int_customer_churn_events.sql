{#- One row per churn: a customer's activity span that ended at or before as_of. -#}
with

spans as (
    select * from {{ ref('int_customer_activity_spans') }}
),

customer_breakdowns as (
    select * from {{ ref('int_customer_breakdowns') }}
),

final as (
    select
        -- key
        spans.customer_id,
        spans.churned_at,
        -- churn
        spans.span_number,
        spans.activity_basis,
        spans.churn_reason,
        spans.first_active_at,
        {{ days_between('spans.first_active_at', 'spans.churned_at') }} as lifetime_days,
        -- breakdown attributes
        customer_breakdowns.user_id,
        customer_breakdowns.team,
        customer_breakdowns.segment,
        customer_breakdowns.region,
        customer_breakdowns.acquisition_channel
    from spans
    left join customer_breakdowns
        on spans.customer_id = customer_breakdowns.customer_id
    where spans.is_churned
)

select * from final
