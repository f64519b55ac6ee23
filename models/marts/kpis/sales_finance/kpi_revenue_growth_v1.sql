{#- revenue_growth v1: (rev − rev_prev) / rev_prev from kpi_revenue v1 (numerator rev − rev_prev, denominator rev_prev),
    rev_prev = the revenue of the period of the same grain just before (month, quarter, year; no all_time, no
    scorecard windows). A breakdown value present in only one of the two periods counts 0 in the other: new -> null
    (÷ 0), vanished -> −1. The first period has no previous revenue (0) -> null. -#}
with

revenue as (
    select * from {{ ref('kpi_revenue', v=1) }}
    where period_grain in ('month', 'quarter', 'year')
),

current_and_previous as (
    select
        coalesce(current_period.period_grain, previous_period.period_grain) as period_grain,
        coalesce(
            current_period.period_start,
            {{ kpi_shift_period('previous_period.period_start', 'previous_period.period_grain', 1) }}
        ) as period_start,
        coalesce(current_period.breakdown, previous_period.breakdown) as breakdown,
        coalesce(current_period.breakdown_value, previous_period.breakdown_value) as breakdown_value,
        coalesce(current_period.value, 0) - coalesce(previous_period.value, 0) as numerator,
        coalesce(previous_period.value, 0) as denominator,
        {{ kpi_safe_divide(
            'coalesce(current_period.value, 0) - coalesce(previous_period.value, 0)', 'previous_period.value'
        ) }} as value
    from revenue as current_period
    full outer join revenue as previous_period
        on
            current_period.period_grain = previous_period.period_grain
            and {{ kpi_shift_period('current_period.period_start', 'current_period.period_grain', -1) }}
            = previous_period.period_start
            and current_period.breakdown = previous_period.breakdown
            and current_period.breakdown_value is not distinct from previous_period.breakdown_value
),

{{ kpi_finalize(
    'current_and_previous', 'revenue_growth', 1,
    grains=['month', 'quarter', 'year'], include_windows=false
) }}
