{#-
    Costs of owning the CRM (research and planning, implementation, training, support, licences).
    Costs have no owner or customer: the five breakdown attributes are always null (kept so every
    fact has the same shape).
-#}
with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

costs as (
    select * from {{ ref('stg_crm__crm_costs') }}
),

final as (
    select
        -- key
        costs.cost_id,
        -- attributes
        costs.category,
        costs.currency,
        -- money
        costs.amount,
        costs.amount_original,
        -- dates
        costs.incurred_on,
        costs.incurred_on < settings.go_live_date as is_before_go_live,
        -- breakdown attributes
        cast(null as {{ dbt.type_string() }}) as user_id,
        cast(null as {{ dbt.type_string() }}) as team,
        cast(null as {{ dbt.type_string() }}) as segment,
        cast(null as {{ dbt.type_string() }}) as region,
        cast(null as {{ dbt.type_string() }}) as acquisition_channel
    from costs
    cross join settings
)

select * from final
