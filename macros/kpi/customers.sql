{#-
    KPI mechanics of the customers and adoption categories (docs/kpi_design.md), on top of
    kpi_rollup / kpi_finalize (macros/kpi/kpi_rollup.sql).
-#}

{#-
    kpi_rollup_with_rows: kpi_rollup, plus extra rows that are already in the long shape.

    For a breakdown whose value is NOT computed from the rows of that breakdown value alone,
    which the grouping sets of kpi_rollup cannot express (churn_rate by `reason`,
    activities_per_user by `activity_type`: the denominator is the whole period's). The model
    builds those rows as a CTE named `extra_rows` (period_grain, period_start, breakdown,
    breakdown_value, numerator, denominator, value; e.g. with kpi_breakdown_of_period_total) and
    calls this instead of kpi_rollup, with kpi_rollup's arguments.

    The rollup runs unchanged in a nested `with`, its long columns are unioned with extra_rows,
    and kpi_finalize shapes the result (one overall row per reported period, availability,
    unit, contract types), so the extra rows get exactly the same treatment as the others.
-#}
{% macro kpi_rollup_with_rows(extra_rows, inputs, kpi_id, kpi_version, aggregation) -%}
{%- set rollup_args = kwargs -%}
{%- set requires = kwargs.get('requires', []) -%}
{%- set grains = kwargs.get('grains', ['month', 'quarter', 'year', 'all_time']) -%}
{%- set include_windows = kwargs.get('include_windows', true) -%}

kpi_rolled_up as (
    with
    {{ kpi_rollup(inputs, kpi_id, kpi_version, aggregation, **rollup_args) }}
),

kpi_combined as (
    select
        period_grain,
        period_start,
        breakdown,
        breakdown_value,
        numerator,
        denominator,
        value
    from kpi_rolled_up
    union all
    select
        period_grain,
        period_start,
        breakdown,
        breakdown_value,
        numerator,
        denominator,
        value
    from {{ extra_rows }}
),

{{ kpi_finalize(
    'kpi_combined', kpi_id, kpi_version, requires,
    empty_value=(0 if aggregation == 'sum' else none), grains=grains, include_windows=include_windows
) }}
{%- endmacro %}

{#-
    kpi_breakdown_of_period_total: the long rows of a breakdown whose denominator is the
    denominator of the whole period, not of the breakdown value (a select, to wrap in a CTE).

      parts      CTE: period_grain, period_start, the `column`, numerator: the rows broken down;
                 a breakdown value exists where it has rows (null column -> '(none)')
      totals     CTE: period_grain, period_start, denominator: summed per period into the
                 denominator shared by every breakdown value of that period
      breakdown  the breakdown's name in the output; column: the attribute (default: breakdown)

    value = Σ numerator of the value / Σ denominator of the period, null when the latter is 0.
-#}
{% macro kpi_breakdown_of_period_total(parts, totals, breakdown, column=none) -%}
{%- set column = column or breakdown -%}
    select
        kpi_parts.period_grain,
        kpi_parts.period_start,
        '{{ breakdown }}' as breakdown,
        kpi_parts.breakdown_value,
        cast(kpi_parts.numerator as double) as numerator,
        cast(coalesce(kpi_totals.denominator, 0) as double) as denominator,
        {{ kpi_safe_divide('kpi_parts.numerator', 'coalesce(kpi_totals.denominator, 0)') }} as value
    from (
        select
            period_grain,
            period_start,
            {{ kpi_breakdown_value(column) }} as breakdown_value,
            coalesce(sum(numerator), 0) as numerator
        from {{ parts }}
        group by period_grain, period_start, {{ kpi_breakdown_value(column) }}
    ) as kpi_parts
    left join (
        select
            period_grain,
            period_start,
            sum(denominator) as denominator
        from {{ totals }}
        group by period_grain, period_start
    ) as kpi_totals
        on
            kpi_parts.period_grain = kpi_totals.period_grain
            and kpi_parts.period_start = kpi_totals.period_start
{%- endmacro %}

{#-
    kpi_events_in_periods: the rows of an event CTE (with event_at) placed in every reported
    period containing them (int_periods: month, quarter, year, all_time and the scorecard
    windows), facts after as_of left out: period_grain, period_start, then the CTE's columns.
    The placement kpi_rollup does for time_basis='event', for a KPI that must combine events with
    per-period stock rows (activities_per_user: activities over licensed users) and so rolls up
    with time_basis='period'. A select, to wrap in a CTE.
-#}
{% macro kpi_events_in_periods(inputs) -%}
    select
        kpi_periods.period_grain,
        kpi_periods.period_start,
        kpi_events.*
    from {{ inputs }} as kpi_events
    cross join {{ ref('int_reporting_settings') }} as kpi_settings
    inner join {{ ref('int_periods') }} as kpi_periods
        on
            kpi_events.event_at >= kpi_periods.period_start
            and kpi_events.event_at < kpi_periods.period_end
    where kpi_events.event_at <= kpi_settings.as_of_at
{%- endmacro %}
