{#- CRM users (employees), without personal data: team, role, region and the effective licence. -#}
with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

licences as (
    select * from {{ ref('int_user_licences') }}
),

final as (
    select
        -- key
        licences.user_id,
        -- attributes
        licences.team,
        licences.role,
        licences.region,
        -- licence
        licences.licensed_from,
        licences.licensed_to,
        licences.licensed_from_source,
        coalesce(
            licences.licensed_from <= settings.as_of_at
            and (licences.licensed_to is null or licences.licensed_to >= settings.as_of_at),
            false
        ) as is_licensed_at_as_of
    from licences
    cross join settings
)

select * from final
