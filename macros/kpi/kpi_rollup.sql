{#-
    The shared mechanics of every KPI model: it turns a CTE of KPI inputs into the long output
    shape of kpi_values (docs/architecture.md, "KPI layer").

    Arguments
      inputs        name of a CTE in the calling model with one row per contributing fact:
                    time_basis = 'event':  event_at (timestamp or date): the fact's moment; it is
                                           placed in its month, fiscal quarter, fiscal year and
                                           all_time; facts after as_of are ignored;
                    time_basis = 'period': period_grain, period_start: the input is already
                                           per period (stock KPIs: "active at the end" ...);
                    aggregation 'ratio':  numerator, denominator;
                    aggregation 'sum', 'mean', 'median': measure;
                    and one column per breakdown.
      kpi_id, kpi_version
      aggregation   'sum' (value = Σ measure; 0 for a period without facts),
                    'ratio' (value = scale × Σ numerator / Σ denominator, null when Σ denominator = 0),
                    'mean' (a ratio of Σ measure to the count of non-null measures),
                    'median' (median of measure over the period's facts)
      breakdowns    columns to break the KPI down by besides `overall`
      requires      names of int_data_availability requirements; when one is missing, every
                    value is null and is_available = false with the reason
      scale         multiplier of a ratio (100 for NPS)
      grains        the grains reported
      include_windows
                    also compute the scorecard windows of int_periods (period_grain
                    `window_*`: the months before / after go-live ...), with the same rules as
                    every other grain; kpi_values leaves them out, kpi_scorecard reads them
      numerator_distinct, denominator_distinct
                    count the distinct non-null values of this column instead of summing
                    numerator / denominator (distinct customers, visitors): counted from the
                    rows at every grain, never added up from months

    Quarters, years and all_time are aggregated from the facts themselves (sums of numerators
    and denominators, medians of the rows), never from monthly values.

    Sums are additive, so for time_basis = 'event' and a sum, mean or ratio without a distinct
    count the facts are first summed per day and breakdown value (kpi_daily), and the days, not
    the facts, are placed in every period and window containing them: every period boundary is
    a day (months, fiscal quarters and years, windows between two dates), and the exact decimal
    sums of the days add up to the exact decimal sum of the facts, so the values are the same
    while the rows fanned out to the grains shrink from facts to days. Medians and distinct
    counts are not additive and keep the facts.
-#}
{% macro kpi_rollup(
    inputs,
    kpi_id,
    kpi_version,
    aggregation,
    breakdowns=[],
    time_basis='event',
    requires=[],
    scale=1,
    grains=['month', 'quarter', 'year', 'all_time'],
    numerator_distinct=none,
    denominator_distinct=none,
    include_windows=true
) -%}

{%- if aggregation not in ('sum', 'ratio', 'mean', 'median') -%}
    {{ exceptions.raise_compiler_error("kpi_rollup: unknown aggregation '" ~ aggregation ~ "' for " ~ kpi_id) }}
{%- endif -%}
{%- if time_basis not in ('event', 'period') -%}
    {{ exceptions.raise_compiler_error("kpi_rollup: unknown time_basis '" ~ time_basis ~ "' for " ~ kpi_id) }}
{%- endif -%}

kpi_settings as (
    select * from {{ ref('int_reporting_settings') }}
),

{%- set additive = aggregation in ('sum', 'ratio', 'mean')
    and not numerator_distinct and not denominator_distinct -%}
{%- set daily = time_basis == 'event' and additive -%}

{% if time_basis == 'event' -%}
kpi_grains as (
    {%- for grain in grains %}
    select '{{ grain }}' as period_grain
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

{%- if daily %}
{#- the facts up to as_of summed per day and breakdown value (see above) -#}
kpi_daily as (
    {%- for column in ['overall'] + breakdowns %}
    select
        cast(kpi_inputs.event_at as date) as event_at,
        '{{ column }}' as breakdown,
        {{ kpi_breakdown_value(column, 'kpi_inputs') }} as breakdown_value,
        count(*) as input_rows,
        {%- if aggregation == 'ratio' %}
        {{ kpi_exact_sum('kpi_inputs.numerator') }} as numerator,
        {{ kpi_exact_sum('kpi_inputs.denominator') }} as denominator
        {%- else %}
        {{ kpi_exact_sum('kpi_inputs.measure') }} as measure,
        count(kpi_inputs.measure) as measure_count
        {%- endif %}
    from {{ inputs }} as kpi_inputs
    cross join kpi_settings
    where kpi_inputs.event_at <= kpi_settings.as_of_at
    group by cast(kpi_inputs.event_at as date){% if column != 'overall' %}, {{ kpi_breakdown_value(column, 'kpi_inputs') }}{% endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),
{%- endif %}

kpi_inputs_in_periods as (
    select
        kpi_inputs.*,
        kpi_grains.period_grain,
        case kpi_grains.period_grain
            {%- for grain in grains if grain != 'all_time' %}
            when '{{ grain }}' then {{ period_start_of('kpi_inputs.event_at', grain) }}
            {%- endfor %}
            else kpi_settings.calendar_start_date
        end as period_start
    from {{ 'kpi_daily' if daily else inputs }} as kpi_inputs
    cross join kpi_grains
    cross join kpi_settings
    where kpi_inputs.event_at <= kpi_settings.as_of_at
    {%- if include_windows %}
    union all
    {#- scorecard windows (before / after go-live ...): a fact belongs to every window containing it #}
    select
        kpi_inputs.*,
        kpi_windows.period_grain,
        kpi_windows.period_start
    from {{ 'kpi_daily' if daily else inputs }} as kpi_inputs
    inner join {{ ref('int_periods') }} as kpi_windows
        on kpi_inputs.event_at >= kpi_windows.period_start
        and kpi_inputs.event_at < kpi_windows.period_end
        and {{ kpi_is_window_grain('kpi_windows.period_grain') }}
    cross join kpi_settings
    where kpi_inputs.event_at <= kpi_settings.as_of_at
    {%- endif %}
),
{%- else -%}
kpi_inputs_in_periods as (
    select * from {{ inputs }}
),
{%- endif %}

{%- if daily %}
{#- the days' sums added up per period and breakdown value -#}
kpi_aggregated as (
    select
        period_grain,
        period_start,
        breakdown,
        breakdown_value,
        {{ kpi_aggregates(aggregation, from_days=true) }}
    from kpi_inputs_in_periods
    group by period_grain, period_start, breakdown, breakdown_value
),
{%- else %}
{#- one aggregation per breakdown (overall first), over the same materialised inputs -#}
kpi_aggregated as (
    {%- for column in ['overall'] + breakdowns %}
    select
        period_grain,
        period_start,
        '{{ column }}' as breakdown,
        {{ kpi_breakdown_value(column) }} as breakdown_value,
        {{ kpi_aggregates(aggregation, numerator_distinct=numerator_distinct, denominator_distinct=denominator_distinct) }}
    from kpi_inputs_in_periods
    group by period_grain, period_start{% if column != 'overall' %}, {{ column }}{% endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),
{%- endif %}

kpi_long as (
    select
        period_grain,
        period_start,
        breakdown,
        breakdown_value,
        {%- if aggregation in ('ratio', 'mean') %}
        {#- a numerator whose every contribution is null (e.g. no cost data) stays null -#}
        cast(agg_numerator as double) as numerator,
        cast(coalesce(agg_denominator, 0) as double) as denominator,
        {{ kpi_safe_divide('agg_numerator', 'coalesce(agg_denominator, 0)') }}
        {%- if scale != 1 %} * {{ scale }}{% endif %} as value
        {%- elif aggregation == 'sum' %}
        cast(null as double) as numerator,
        cast(null as double) as denominator,
        cast(agg_value as double) as value
        {%- else %}
        cast(null as double) as numerator,
        cast(null as double) as denominator,
        cast(agg_value as double) as value
        {%- endif %}
    from kpi_aggregated
),

{{ kpi_finalize(
    'kpi_long', kpi_id, kpi_version, requires,
    empty_value=(0 if aggregation == 'sum' else none), grains=grains, include_windows=include_windows
) }}
{%- endmacro %}

{#-
    The output step of every KPI model: takes a CTE already in the long shape (period_grain,
    period_start, breakdown, breakdown_value, numerator, denominator, value) and
      - keeps the reported periods (int_periods: nothing after as_of) and flags the incomplete one,
      - gives every reported period an `overall` row (`empty_value` where the input has none),
      - nulls the values with is_available = false and the reason when a requirement is missing,
      - adds the unit from the catalog and casts every column to the contract's type.
    Derived KPIs (growth, per-day rates, ROI) build their long CTE from other KPI models and call
    this directly.
-#}
{% macro kpi_finalize(kpi_input, kpi_id, kpi_version, requires=[], empty_value=none,
    grains=['month', 'quarter', 'year', 'all_time'], include_windows=true) -%}

kpi_periods as (
    select * from {{ ref('int_periods') }}
    where
        period_grain in ('{{ grains | join("', '") }}')
        {%- if include_windows %}
        or {{ kpi_is_window_grain('period_grain') }}
        {%- endif %}
),

kpi_definition as (
    select unit from {{ ref('kpi_definitions') }}
    where kpi_id = '{{ kpi_id }}' and kpi_version = {{ kpi_version }}
),

kpi_availability as (
    {%- if requires %}
    select
        min(case when is_available then 1 else 0 end) = 1 as is_available,
        {{ kpi_ordered_listagg("case when not is_available then reason end", "requirement") }} as reason
    from {{ ref('int_data_availability') }}
    where requirement in ('{{ requires | join("', '") }}')
    {%- else %}
    select
        true as is_available,
        cast(null as {{ dbt.type_string() }}) as reason
    {%- endif %}
),

kpi_input as (
    select * from {{ kpi_input }}
),

{#- every reported period has an overall row, facts or not; breakdown rows exist where facts do -#}
kpi_filled as (
    select
        kpi_periods.period_grain,
        kpi_periods.period_start,
        kpi_periods.is_complete,
        'overall' as breakdown,
        cast(null as {{ dbt.type_string() }}) as breakdown_value,
        kpi_input.numerator,
        kpi_input.denominator,
        {%- if empty_value is not none %}
        case when kpi_input.period_start is null then {{ empty_value }} else kpi_input.value end as value
        {%- else %}
        kpi_input.value
        {%- endif %}
    from kpi_periods
    left join kpi_input
        on kpi_periods.period_grain = kpi_input.period_grain
        and kpi_periods.period_start = kpi_input.period_start
        and kpi_input.breakdown = 'overall'
    union all
    select
        kpi_periods.period_grain,
        kpi_periods.period_start,
        kpi_periods.is_complete,
        kpi_input.breakdown,
        kpi_input.breakdown_value,
        kpi_input.numerator,
        kpi_input.denominator,
        kpi_input.value
    from kpi_input
    inner join kpi_periods
        on kpi_input.period_grain = kpi_periods.period_grain
        and kpi_input.period_start = kpi_periods.period_start
    where kpi_input.breakdown <> 'overall'
)

select
    cast('{{ kpi_id }}' as {{ dbt.type_string() }}) as kpi_id,
    cast({{ kpi_version }} as integer) as kpi_version,
    cast(kpi_filled.period_grain as {{ dbt.type_string() }}) as period_grain,
    cast(kpi_filled.period_start as date) as period_start,
    cast(kpi_filled.breakdown as {{ dbt.type_string() }}) as breakdown,
    cast(kpi_filled.breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
    cast(case when kpi_availability.is_available then kpi_filled.value end as double) as value,
    cast(case when kpi_availability.is_available then kpi_filled.numerator end as double) as numerator,
    cast(case when kpi_availability.is_available then kpi_filled.denominator end as double) as denominator,
    cast(kpi_definition.unit as {{ dbt.type_string() }}) as unit,
    cast(kpi_availability.is_available as boolean) as is_available,
    cast(kpi_availability.reason as {{ dbt.type_string() }}) as reason,
    cast(kpi_filled.is_complete as boolean) as is_period_complete
from kpi_filled
cross join kpi_availability
cross join kpi_definition
{%- endmacro %}



{#-
    Σ of a column, exact and independent of row order: the values are summed as decimal(38, 10)
    (doubles summed by parallel threads differ in their last bits from one build to the next,
    which would make a KPI's published value depend on scheduling). 10 decimals keep hours,
    days and money far below the 1e-9 relative tolerance the KPIs are validated at.
-#}
{% macro kpi_exact_sum(expr) -%}
    sum(cast({{ expr }} as decimal(38, 10)))
{%- endmacro %}

{#- numerator / denominator as double, null when the denominator is zero or null -#}
{% macro kpi_safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0)
{%- endmacro %}

{#- the non-null values of `expr` joined with '; ' in the order of `order_expr` -#}
{% macro kpi_ordered_listagg(expr, order_expr) -%}
    {{ return(adapter.dispatch('kpi_ordered_listagg', 'crm_kpi')(expr, order_expr)) }}
{%- endmacro %}
{% macro default__kpi_ordered_listagg(expr, order_expr) -%}
    {{ dbt.listagg(expr, "'; '", "order by " ~ order_expr) }}
{%- endmacro %}

{% macro kpi_median(expr) -%}
    {{ return(adapter.dispatch('kpi_median', 'crm_kpi')(expr)) }}
{%- endmacro %}
{% macro default__kpi_median(expr) -%}
    median({{ expr }})
{%- endmacro %}

{#- the breakdowns of a KPI about a customer or an owning user -#}
{% macro kpi_owner_breakdowns() -%}
    {{ return(['user_id', 'team', 'segment', 'region', 'acquisition_channel']) }}
{%- endmacro %}

{#-
    The aggregate columns of kpi_rollup (input_rows, agg_numerator, agg_denominator, agg_value)
    over placed facts, or with from_days over placed kpi_daily rows, whose counts are summed.
-#}
{% macro kpi_aggregates(aggregation, from_days=false, numerator_distinct=none, denominator_distinct=none) -%}
        {{ 'sum(input_rows)' if from_days else 'count(*)' }} as input_rows,
        {%- if aggregation == 'ratio' %}
        {{ 'count(distinct ' ~ numerator_distinct ~ ')' if numerator_distinct else kpi_exact_sum('numerator') }} as agg_numerator,
        {{ 'count(distinct ' ~ denominator_distinct ~ ')' if denominator_distinct else kpi_exact_sum('denominator') }} as agg_denominator,
        cast(null as double) as agg_value
        {%- elif aggregation == 'mean' %}
        {{ kpi_exact_sum('measure') }} as agg_numerator,
        {{ 'sum(measure_count)' if from_days else 'count(measure)' }} as agg_denominator,
        cast(null as double) as agg_value
        {%- else %}
        cast(null as double) as agg_numerator,
        cast(null as double) as agg_denominator,
        {{ kpi_median('measure') if aggregation == 'median' else kpi_exact_sum('measure') }} as agg_value
        {%- endif %}
{%- endmacro %}

{#- a breakdown's value as text ('(none)' for null); null for `overall` -#}
{% macro kpi_breakdown_value(column, relation=none) -%}
    {%- if column == 'overall' -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        coalesce(cast({{ relation ~ '.' if relation else '' }}{{ column }} as {{ dbt.type_string() }}), '(none)')
    {%- endif -%}
{%- endmacro %}

{#- scorecard windows are the period grains named window_* -#}
{% macro kpi_is_window_grain(expr) -%}
    substr({{ expr }}, 1, 7) = 'window_'
{%- endmacro %}
