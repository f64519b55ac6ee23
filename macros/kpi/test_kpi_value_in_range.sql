{#-
    Generic test on a KPI model: every non-null value lies within the KPI's possible range
    (value_min / value_max of the catalog; none = unbounded on that side).
-#}
{% test kpi_value_in_range(model, min_value=none, max_value=none) %}
select
    period_grain,
    period_start,
    breakdown,
    breakdown_value,
    value
from {{ model }}
where
    value is not null
    and (
        1 = 0
        {%- if min_value is not none %}
        or value < {{ min_value }} - 1e-9
        {%- endif %}
        {%- if max_value is not none %}
        or value > {{ max_value }} + 1e-9
        {%- endif %}
    )
{% endtest %}

{#-
    Generic test on a KPI model: every reported period of its grains (int_periods) has exactly
    one `overall` row, and every row lies in a reported period of its grains or in a scorecard
    window of int_periods (window rows are optional: derived KPIs may leave them out).
-#}
{% test kpi_covers_reported_periods(model, grains) %}
with

periods as (
    select period_grain, period_start from {{ ref('int_periods') }}
    where period_grain in ('{{ grains | join("', '") }}')
),

allowed_periods as (
    select period_grain, period_start from {{ ref('int_periods') }}
    where
        period_grain in ('{{ grains | join("', '") }}')
        or {{ kpi_is_window_grain('period_grain') }}
),

overall as (
    select period_grain, period_start, count(*) as overall_rows
    from {{ model }}
    where breakdown = 'overall'
    group by period_grain, period_start
),

missing_or_repeated as (
    select periods.period_grain, periods.period_start, coalesce(overall.overall_rows, 0) as overall_rows
    from periods
    left join overall
        on periods.period_grain = overall.period_grain
        and periods.period_start = overall.period_start
    where coalesce(overall.overall_rows, 0) <> 1
),

outside as (
    select model_rows.period_grain, model_rows.period_start, -1 as overall_rows
    from {{ model }} as model_rows
    left join allowed_periods
        on model_rows.period_grain = allowed_periods.period_grain
        and model_rows.period_start = allowed_periods.period_start
    where allowed_periods.period_start is null
)

select * from missing_or_repeated
union all
select * from outside
{% endtest %}

{#- Generic test: a period grain is a calendar grain or a scorecard window (window_*). -#}
{% test valid_period_grain(model, column_name) %}
select {{ column_name }}
from {{ model }}
where not (
    {{ column_name }} in ('month', 'quarter', 'year', 'all_time')
    or {{ kpi_is_window_grain(column_name) }}
)
{% endtest %}
