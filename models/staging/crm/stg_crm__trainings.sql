{#- Clean trainings: the rows of base_crm__trainings that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__trainings') }}
),

staged as (
    select
        -- ids
        user_id,
        -- attributes
        course,
        assessment_score,
        -- timestamps
        completed_at
    from base
    where _quarantine_reasons is null
)

select * from staged
