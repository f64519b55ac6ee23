{#-
    The period_start_of macro and int_periods agree: every day covered by the month, quarter and year
    periods lies in exactly one period of each grain, and that period's start is
    period_start_of(day, grain). Returns the days where they disagree (or that are covered twice).
-#}
{%- set grains = ['month', 'quarter', 'year'] -%}

with

periods as (
    select * from {{ ref('int_periods') }}
    where period_grain in ('month', 'quarter', 'year')
),

bounds as (
    select
        periods.period_grain,
        min(periods.period_start) as first_day,
        max(periods.period_end) as end_day
    from periods
    group by periods.period_grain
),

day_numbers as (
    {{ dbt.generate_series(80000) }}
),

days as (
    select
        bounds.period_grain,
        cast({{ dbt.dateadd('day', 'day_numbers.generated_number - 1', 'bounds.first_day') }} as date) as day_date
    from bounds
    cross join day_numbers
    where {{ dbt.dateadd('day', 'day_numbers.generated_number - 1', 'bounds.first_day') }} < bounds.end_day
),

macro_starts as (
    {% for grain in grains %}
    select
        days.period_grain,
        days.day_date,
        {{ period_start_of('days.day_date', grain) }} as macro_period_start
    from days
    where days.period_grain = '{{ grain }}'
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

matched as (
    select
        macro_starts.period_grain,
        macro_starts.day_date,
        macro_starts.macro_period_start,
        periods.period_start,
        count(*) over (partition by macro_starts.period_grain, macro_starts.day_date) as n_periods
    from macro_starts
    left join periods
        on
            macro_starts.period_grain = periods.period_grain
            and macro_starts.day_date >= periods.period_start
            and macro_starts.day_date < periods.period_end
)

select *
from matched
where
    matched.period_start is null
    or matched.period_start <> matched.macro_period_start
    or matched.n_periods > 1
