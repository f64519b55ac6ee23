{#-
    The MetricFlow time spine has one row per day of every reported month, quarter and year of
    int_periods, and its fiscal quarter and year are the period_start of int_periods' quarter and
    year containing the day (both come from macro period_start_of; this checks they still agree).
    Returns the periods that are not fully covered or whose spine days disagree.
-#}
with

periods as (
    select * from {{ ref('int_periods') }}
    where period_grain in ('month', 'quarter', 'year')
),

spine as (
    select * from {{ ref('metricflow_time_spine') }}
),

covered as (
    select
        periods.period_grain,
        periods.period_start,
        {{ dbt.datediff('periods.period_start', 'periods.period_end', 'day') }}
            as days_in_period,
        count(spine.date_day) as spine_days,
        sum(
            case
                when periods.period_grain = 'quarter' and spine.fiscal_quarter <> periods.period_start then 1
                when periods.period_grain = 'year' and spine.fiscal_year <> periods.period_start then 1
                else 0
            end
        ) as mismatched_days
    from periods
    left join spine
        on
            spine.date_day >= periods.period_start
            and spine.date_day < periods.period_end
    group by periods.period_grain, periods.period_start, periods.period_end
)

select *
from covered
where spine_days <> days_in_period or mismatched_days > 0
