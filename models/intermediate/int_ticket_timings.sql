{#-
    Per ticket: response and resolution times in calendar hours and in business hours
    (int_business_calendar: business_days, business_hours_start/end in crm_timezone, holidays, DST),
    and the flags the service KPIs count. A response or resolution after as_of has not happened yet
    as of as_of: its time is null and its flags are false.
-#}
{%- set repeat_days = var('repeat_contact_window_days') | int -%}

with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

calendar as (
    select * from {{ ref('int_business_calendar') }}
),

-- response and resolution as known at as_of
known as (
    select
        tickets.*,
        case when tickets.first_response_at <= settings.as_of_at then tickets.first_response_at end
            as known_first_response_at,
        case when tickets.resolved_at <= settings.as_of_at then tickets.resolved_at end as known_resolved_at
    from tickets
    cross join settings
),

-- another ticket of the same customer created within the window after this one
follow_ups as (
    select
        tickets.ticket_id,
        count(later_tickets.ticket_id) as follow_up_count
    from tickets
    cross join settings
    inner join tickets as later_tickets
        on
            tickets.customer_id = later_tickets.customer_id
            and tickets.ticket_id <> later_tickets.ticket_id
            and later_tickets.created_at > tickets.created_at
            and later_tickets.created_at <= {{ dbt.dateadd('day', repeat_days, 'tickets.created_at') }}
            and later_tickets.created_at <= settings.as_of_at
    where tickets.customer_id is not null
    group by tickets.ticket_id
),

timed as (
    select
        known.*,
        {{ hours_between('known.created_at', 'known.known_first_response_at') }} as first_response_hours,
        {{ hours_between('known.created_at', 'known.known_resolved_at') }} as resolution_hours,
        case
            when known.known_first_response_at is not null
                then {{ business_hours_between(
                    'known.created_at', 'created_calendar', 'known.known_first_response_at', 'response_calendar'
                ) }}
        end as first_response_business_hours,
        case
            when known.known_resolved_at is not null
                then {{ business_hours_between(
                    'known.created_at', 'created_calendar', 'known.known_resolved_at', 'resolved_calendar'
                ) }}
        end as resolution_business_hours
    from known
    left join calendar as created_calendar
        on {{ local_date_of('known.created_at') }} = created_calendar.local_date
    left join calendar as response_calendar
        on {{ local_date_of('known.known_first_response_at') }} = response_calendar.local_date
    left join calendar as resolved_calendar
        on {{ local_date_of('known.known_resolved_at') }} = resolved_calendar.local_date
),

final as (
    select
        -- keys
        timed.ticket_id,
        timed.customer_id,
        timed.assigned_user_id,
        -- attributes
        timed.category,
        timed.channel,
        timed.priority,
        timed.status,
        timed.resolution,
        timed.reopened_count,
        -- durations (hours)
        timed.first_response_hours,
        timed.resolution_hours,
        timed.first_response_business_hours,
        timed.resolution_business_hours,
        -- flags
        timed.known_first_response_at is not null as has_first_response,
        timed.known_resolved_at is not null as is_resolved,
        timed.known_resolved_at is not null and coalesce(timed.resolution = 'solved', false) as is_solved,
        timed.known_resolved_at is not null
        and coalesce(timed.resolution not in ('duplicate', 'spam'), true) as is_countable_resolution,
        timed.reopened_count > 0 or coalesce(follow_ups.follow_up_count, 0) > 0 as is_repeat_contact,
        timed.category = 'complaint' as is_complaint,
        -- timestamps
        timed.created_at,
        timed.first_response_at,
        timed.resolved_at,
        timed.updated_at
    from timed
    left join follow_ups
        on timed.ticket_id = follow_ups.ticket_id
)

select * from final
