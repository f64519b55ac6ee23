{#-
    The reporting calendar: one row per (period_grain, period_start).
      month:   every month from the month of calendar_start_date to the month containing as_of_date;
      quarter, year: the FISCAL quarters / years (var fiscal_year_start_month) that overlap those months;
               a fiscal year is named by the calendar year in which it ends (see macros/utils/periods.sql);
      all_time: [calendar_start_date, as_of_date + 1 day).
    period_end is exclusive (the next period's start). end_instant = least(period_end, as_of_at) is
    "the end of the period", capped at as_of for the incomplete period. Periods starting after as_of
    do not exist.
    The before/after go-live scorecard windows of int_scorecard_windows (period_grain `window_*`)
    are periods too, so every KPI is computed over them by the same rules.
-#}
with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

months as (
    {{ calendar_spine('month', 'settings', 'calendar_start_date', 'as_of_date', 'month_start') }}
),

month_periods as (
    select distinct
        'month' as period_grain,
        {{ period_start_of('months.month_start', 'month') }} as period_start
    from months
),

quarter_periods as (
    select distinct
        'quarter' as period_grain,
        {{ period_start_of('months.month_start', 'quarter') }} as period_start
    from months
),

year_periods as (
    select distinct
        'year' as period_grain,
        {{ period_start_of('months.month_start', 'year') }} as period_start
    from months
),

calendar_periods as (
    select
        month_periods.period_grain,
        month_periods.period_start,
        {{ period_end_of('month_periods.period_start', 'month') }} as period_end,
        {{ period_label('month_periods.period_start', 'month') }} as period_label
    from month_periods
    union all
    select
        quarter_periods.period_grain,
        quarter_periods.period_start,
        {{ period_end_of('quarter_periods.period_start', 'quarter') }} as period_end,
        {{ period_label('quarter_periods.period_start', 'quarter') }} as period_label
    from quarter_periods
    union all
    select
        year_periods.period_grain,
        year_periods.period_start,
        {{ period_end_of('year_periods.period_start', 'year') }} as period_end,
        {{ period_label('year_periods.period_start', 'year') }} as period_label
    from year_periods
),

all_time_period as (
    select
        'all_time' as period_grain,
        settings.calendar_start_date as period_start,
        cast({{ dbt.dateadd('day', 1, 'settings.as_of_date') }} as date) as period_end,
        'all time' as period_label
    from settings
    where settings.calendar_start_date is not null
),

scorecard_windows as (
    select * from {{ ref('int_scorecard_windows') }}
),

unioned as (
    select * from calendar_periods
    union all
    select * from all_time_period
    union all
    select * from scorecard_windows
),

final as (
    select
        -- key
        unioned.period_grain,
        unioned.period_start,
        -- bounds
        unioned.period_end,
        cast(
            {{ dbt.datediff('unioned.period_start', 'unioned.period_end', 'day') }}
            as integer
        ) as period_days,
        least(cast(unioned.period_end as {{ dbt.type_timestamp() }}), settings.as_of_at) as end_instant,
        -- labels
        unioned.period_label,
        -- flags
        cast(unioned.period_end as {{ dbt.type_timestamp() }}) <= settings.as_of_at as is_complete,
        unioned.period_start >= settings.go_live_date as is_after_go_live
    from unioned
    cross join settings
)

select * from final
