{#-
    MetricFlow's time spine: one row per calendar day, from a year before the reporting calendar
    starts (so growth metrics find their previous period) to the end of the year after as_of.
    Built from int_reporting_settings with dbt's portable generate_series, like
    int_business_calendar, so it follows the data and never reads the wall clock.
    fiscal_quarter / fiscal_year are the period_start of the fiscal quarter and year containing
    the day (macro period_start_of, var fiscal_year_start_month): MetricFlow custom granularities,
    so `metric_time__fiscal_quarter` groups exactly like the quarters of kpi_values.
-#}
{#- 80,000 days = 219 years, the whole range of timestamps staging accepts -#}
{%- set max_days = 80000 -%}

with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

bounds as (
    select
        cast(
            {{ dbt.dateadd('year', -1, dbt.date_trunc('year', 'settings.calendar_start_date')) }} as date
        ) as first_date,
        cast({{ dbt.dateadd('year', 2, dbt.date_trunc('year', 'settings.as_of_date')) }} as date) as end_date
    from settings
),

day_numbers as (
    {{ dbt.generate_series(max_days) }}
),

days as (
    select cast({{ dbt.dateadd('day', 'day_numbers.generated_number - 1', 'bounds.first_date') }} as date) as date_day
    from bounds
    cross join day_numbers
    where {{ dbt.dateadd('day', 'day_numbers.generated_number - 1', 'bounds.first_date') }} < bounds.end_date
),

final as (
    select
        date_day,
        {{ period_start_of('date_day', 'quarter') }} as fiscal_quarter,
        {{ period_start_of('date_day', 'year') }} as fiscal_year
    from days
)

select * from final
