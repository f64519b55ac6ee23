{#- Sales targets (quota) per user and month. Breakdown attributes: the user, team and region. -#}
with

targets as (
    select * from {{ ref('stg_crm__sales_targets') }}
),

users as (
    select * from {{ ref('int_user_licences') }}
),

final as (
    select
        -- keys
        targets.user_id,
        targets.period_start,
        -- money
        targets.currency,
        targets.target_amount,
        targets.target_amount_original,
        -- breakdown attributes (user_id is part of the key)
        users.team,
        cast(null as {{ dbt.type_string() }}) as segment,
        users.region,
        cast(null as {{ dbt.type_string() }}) as acquisition_channel
    from targets
    left join users
        on targets.user_id = users.user_id
)

select * from final
