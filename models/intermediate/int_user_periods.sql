{#-
    CRM users per reporting period: one row per (period_grain, period_start, user_id) for users whose
    licence overlaps the period:
        licensed_from < end_instant and (licensed_to is null or licensed_to >= period_start)
    (licensed_from is the effective start of int_user_licences; end_instant is period_end capped at
    as_of, so a licence that starts after as_of is not counted yet).
-#}
with

periods as (
    select * from {{ ref('int_periods') }}
),

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

licences as (
    select * from {{ ref('int_user_licences') }}
),

usage_events as (
    select * from {{ ref('stg_crm__usage_events') }}
),

activities as (
    select * from {{ ref('stg_crm__activities') }}
),

trainings as (
    select * from {{ ref('stg_crm__trainings') }}
),

licensed_periods as (
    select
        periods.period_grain,
        periods.period_start,
        periods.period_end,
        periods.end_instant,
        licences.user_id,
        licences.team,
        licences.region
    from periods
    inner join licences
        on
            licences.licensed_from < periods.end_instant
            and (
                licences.licensed_to is null
                or licences.licensed_to >= cast(periods.period_start as {{ dbt.type_timestamp() }})
            )
),

usage_per_period as (
    select
        licensed_periods.period_grain,
        licensed_periods.period_start,
        licensed_periods.user_id,
        count(*) as usage_event_count
    from licensed_periods
    cross join settings
    inner join usage_events
        on
            licensed_periods.user_id = usage_events.user_id
            and usage_events.occurred_at >= cast(licensed_periods.period_start as {{ dbt.type_timestamp() }})
            and usage_events.occurred_at < cast(licensed_periods.period_end as {{ dbt.type_timestamp() }})
            and usage_events.occurred_at <= settings.as_of_at
    group by licensed_periods.period_grain, licensed_periods.period_start, licensed_periods.user_id
),

activities_per_period as (
    select
        licensed_periods.period_grain,
        licensed_periods.period_start,
        licensed_periods.user_id,
        count(*) as activity_count
    from licensed_periods
    cross join settings
    inner join activities
        on
            licensed_periods.user_id = activities.user_id
            and activities.occurred_at >= cast(licensed_periods.period_start as {{ dbt.type_timestamp() }})
            and activities.occurred_at < cast(licensed_periods.period_end as {{ dbt.type_timestamp() }})
            and activities.occurred_at <= settings.as_of_at
    group by licensed_periods.period_grain, licensed_periods.period_start, licensed_periods.user_id
),

first_training as (
    select
        trainings.user_id,
        min(trainings.completed_at) as first_training_completed_at
    from trainings
    where trainings.completed_at is not null
    group by trainings.user_id
),

final as (
    select
        -- key
        licensed_periods.period_grain,
        licensed_periods.period_start,
        licensed_periods.user_id,
        -- status
        true as is_licensed,
        coalesce(usage_per_period.usage_event_count, 0) > 0 as has_usage_event,
        coalesce(first_training.first_training_completed_at < licensed_periods.end_instant, false)
            as has_completed_training_by_end,
        cast(coalesce(activities_per_period.activity_count, 0) as integer) as activity_count,
        cast(coalesce(usage_per_period.usage_event_count, 0) as integer) as usage_event_count,
        -- breakdown attributes (user_id is the key; a user has no segment or acquisition channel)
        licensed_periods.team,
        cast(null as {{ dbt.type_string() }}) as segment,
        licensed_periods.region,
        cast(null as {{ dbt.type_string() }}) as acquisition_channel
    from licensed_periods
    left join usage_per_period
        on
            licensed_periods.period_grain = usage_per_period.period_grain
            and licensed_periods.period_start = usage_per_period.period_start
            and licensed_periods.user_id = usage_per_period.user_id
    left join activities_per_period
        on
            licensed_periods.period_grain = activities_per_period.period_grain
            and licensed_periods.period_start = activities_per_period.period_start
            and licensed_periods.user_id = activities_per_period.user_id
    left join first_training
        on licensed_periods.user_id = first_training.user_id
)

select * from final
