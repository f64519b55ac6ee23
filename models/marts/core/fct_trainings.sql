{#- CRM trainings per user and course. Breakdown attributes: the user, team and region. -#}
with

trainings as (
    select * from {{ ref('stg_crm__trainings') }}
),

users as (
    select * from {{ ref('int_user_licences') }}
),

final as (
    select
        -- keys
        trainings.user_id,
        trainings.course,
        -- measures
        trainings.assessment_score,
        -- flags
        trainings.completed_at is not null as is_completed,
        -- timestamps
        trainings.completed_at,
        -- breakdown attributes (user_id is part of the key)
        users.team,
        cast(null as {{ dbt.type_string() }}) as segment,
        users.region,
        cast(null as {{ dbt.type_string() }}) as acquisition_channel
    from trainings
    left join users
        on trainings.user_id = users.user_id
)

select * from final
