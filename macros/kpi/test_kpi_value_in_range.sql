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
    Generic test on a KPI model: every reported period (int_periods, for the KPI's grains) has
    exactly one `overall` row, and no row lies outside the reported periods.
-#}
{% test kpi_covers_reported_periods(model, grains) %}
with

periods as (
    select period_grain, period_start from {{ ref('int_periods') }}
    where period_grain in ('{{ grains | join("', '") }}')
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
    left join periods
        on model_rows.period_grain = periods.period_grain
        and model_rows.period_start = periods.period_start
    where periods.period_start is null
)

select * from missing_or_repeated
union all
select * from outside
{% endtest %}
