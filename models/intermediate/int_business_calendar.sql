{#-
    The business-hours calendar in crm_timezone: one row per local date, from the day before the
    earliest ticket to the day after the latest of as_of and every ticket timestamp.
    A business day is an ISO weekday in var business_days that is not in the holidays extract; it
    opens at business_hours_start and closes at business_hours_end LOCAL time, converted to naive UTC
    with the time zone (so DST changes are respected). cumulative_business_seconds counts the business
    seconds of every EARLIER date, so business time between two instants is F(b) - F(a)
    (macro business_seconds_at).
-#}
{%- set open_minutes = clock_minutes(var('business_hours_start')) | int -%}
{%- set close_minutes = clock_minutes(var('business_hours_end')) | int -%}
{%- set business_days = var('business_days') | map('int') | list -%}

with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

holidays as (
    select * from {{ ref('stg_crm__holidays') }}
),

ticket_instants as (
    select tickets.created_at as instant_at from tickets
    union all
    select tickets.first_response_at as instant_at from tickets
    union all
    select tickets.resolved_at as instant_at from tickets
    union all
    select settings.as_of_at as instant_at from settings
),

local_bounds as (
    select
        (select min({{ local_date_of('tickets.created_at') }}) from tickets) as first_ticket_date,
        (select max({{ local_date_of('ticket_instants.instant_at') }}) from ticket_instants) as last_instant_date
),

bounds as (
    select
        cast({{ dbt.dateadd('day', -1, 'local_bounds.first_ticket_date') }} as date) as first_date,
        cast({{ dbt.dateadd('day', 1, 'local_bounds.last_instant_date') }} as date) as last_date
    from local_bounds
),

dates as (
    {{ calendar_spine('day', 'bounds', 'first_date', 'last_date', 'local_date') }}
),

holiday_dates as (
    select distinct holidays.holiday_date
    from holidays
),

days as (
    select
        dates.local_date,
        {{ iso_day_of_week('dates.local_date') }} as iso_day_of_week,
        holiday_dates.holiday_date is not null as is_holiday
    from dates
    left join holiday_dates
        on dates.local_date = holiday_dates.holiday_date
),

business_days as (
    select
        days.local_date,
        days.iso_day_of_week,
        days.is_holiday,
        days.iso_day_of_week in ({{ business_days | join(', ') }}) and not days.is_holiday as is_business_day
    from days
),

opening_hours as (
    select
        business_days.*,
        case
            when business_days.is_business_day
                then {{ local_to_utc(dbt.dateadd(
                    'minute', open_minutes, 'cast(business_days.local_date as ' ~ dbt.type_timestamp() ~ ')'
                )) }}
        end as open_at_utc,
        case
            when business_days.is_business_day
                then {{ local_to_utc(dbt.dateadd(
                    'minute', close_minutes, 'cast(business_days.local_date as ' ~ dbt.type_timestamp() ~ ')'
                )) }}
        end as close_at_utc
    from business_days
),

with_seconds as (
    select
        opening_hours.*,
        case
            when opening_hours.is_business_day
                then greatest(
                    {{ epoch_seconds('opening_hours.close_at_utc') }}
                    - {{ epoch_seconds('opening_hours.open_at_utc') }},
                    0
                )
            else 0
        end as business_seconds
    from opening_hours
),

final as (
    select
        -- key
        with_seconds.local_date,
        -- day
        with_seconds.iso_day_of_week,
        with_seconds.is_holiday,
        with_seconds.is_business_day,
        -- opening hours (naive UTC)
        with_seconds.open_at_utc,
        with_seconds.close_at_utc,
        -- business seconds
        cast(with_seconds.business_seconds as double) as business_seconds,
        cast(coalesce(
            sum(with_seconds.business_seconds) over (
                order by with_seconds.local_date
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as double) as cumulative_business_seconds
    from with_seconds
)

select * from final
