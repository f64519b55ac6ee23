{#-
    MetricFlow's time spine: one row per calendar day, from a year before the reporting calendar
    starts (so growth metrics find their previous period) to the end of the year after as_of.
    Built from int_reporting_settings with the calendar_spine macro, like
    int_business_calendar, so it follows the data and never reads the wall clock.
    fiscal_quarter / fiscal_year are the period_start of the fiscal quarter and year containing
    the day (macro period_start_of, var fiscal_year_start_month): MetricFlow custom granularities,
    so `metric_time__fiscal_quarter` groups exactly like the quarters of kpi_values.
-#}

with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

bounds as (
    select
        cast(
            {{ dbt.dateadd('year', -1, dbt.date_trunc('year', 'settings.calendar_start_date')) }} as date
        ) as first_date,
        -- the last day of the year after as_of's
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('year', 2, dbt.date_trunc('year', 'settings.as_of_date'))) }}
            as date
        ) as last_date
    from settings
),

days as (
    {{ calendar_spine('day', 'bounds', 'first_date', 'last_date', 'date_day') }}
),

final as (
    select
        date_day,
        {{ period_start_of('date_day', 'quarter') }} as fiscal_quarter,
        {{ period_start_of('date_day', 'year') }} as fiscal_year
    from days
)

select * from final
