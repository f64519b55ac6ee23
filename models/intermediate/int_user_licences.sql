{#-
    CRM users with their effective licence: licensed_from defaults to the user's first activity or
    usage event when the extract leaves it empty (a user with neither has no licence start and is
    never counted as licensed). No personal data (names, e-mails) is carried.
-#}
with

users as (
    select * from {{ ref('stg_crm__users') }}
),

activities as (
    select * from {{ ref('stg_crm__activities') }}
),

usage_events as (
    select * from {{ ref('stg_crm__usage_events') }}
),

first_use as (
    select
        activities.user_id,
        activities.occurred_at as used_at
    from activities
    where activities.occurred_at is not null
    union all
    select
        usage_events.user_id,
        usage_events.occurred_at as used_at
    from usage_events
),

first_use_per_user as (
    select
        first_use.user_id,
        min(first_use.used_at) as first_used_at
    from first_use
    group by first_use.user_id
),

final as (
    select
        -- key
        users.user_id,
        -- attributes
        users.team,
        users.role,
        users.region,
        -- licence
        coalesce(users.licensed_from, first_use_per_user.first_used_at) as licensed_from,
        users.licensed_to,
        case
            when users.licensed_from is not null then 'extract'
            when first_use_per_user.first_used_at is not null then 'first_use'
        end as licensed_from_source,
        first_use_per_user.first_used_at
    from users
    left join first_use_per_user
        on users.user_id = first_use_per_user.user_id
)

select * from final
