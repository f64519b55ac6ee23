{#- Clean survey_responses: the rows of base_crm__survey_responses that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__survey_responses') }}
),

staged as (
    select
        -- ids
        response_id,
        customer_id,
        ticket_id,
        -- attributes
        survey_type,
        score,
        -- timestamps
        responded_at
    from base
    where _quarantine_reasons is null
)

select * from staged
