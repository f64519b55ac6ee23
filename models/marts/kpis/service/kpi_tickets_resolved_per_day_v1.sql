{#-
    tickets_resolved_per_day v1: tickets resolved in the period / days of the period up to as_of
    (period_days for a complete period; period_start .. as_of_date inclusive for the incomplete one).
    Derived: the count of tickets resolved in the period (by resolved_at) is the denominator of
    resolution_hours v2 (the live version; every resolved ticket has business hours). By user_id
    (the assigned user) and team; a period without resolutions is 0 per day.
-#}
with

resolution_hours as (
    select * from {{ ref('kpi_resolution_hours', v=2) }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

resolved_per_day as (
    select
        resolution_hours.period_grain,
        resolution_hours.period_start,
        resolution_hours.breakdown,
        resolution_hours.breakdown_value,
        coalesce(resolution_hours.denominator, 0) as numerator,
        least(
            periods.period_days,
            greatest({{ days_between('periods.period_start', 'settings.as_of_date') }} + 1, 0)
        ) as denominator
    from resolution_hours
    inner join periods
        on
            resolution_hours.period_grain = periods.period_grain
            and resolution_hours.period_start = periods.period_start
    cross join settings
    where resolution_hours.breakdown in ('overall', 'user_id', 'team')
),

resolved_per_day_long as (
    select
        *,
        {{ kpi_safe_divide('numerator', 'denominator') }} as value
    from resolved_per_day
),

{{ kpi_finalize('resolved_per_day_long', 'tickets_resolved_per_day', 1, empty_value=0) }}
