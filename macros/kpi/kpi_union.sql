{#- The columns of the KPI output shape, in contract order. -#}
{% macro kpi_output_columns() -%}
    {{ return([
        'kpi_id', 'kpi_version', 'period_grain', 'period_start', 'breakdown', 'breakdown_value',
        'value', 'numerator', 'denominator', 'unit', 'is_available', 'reason', 'is_period_complete'
    ]) }}
{%- endmacro %}

{#-
    `union all` of every KPI model version of the registry (macros/kpi/kpi_registry.sql), with
    `is_latest_version`; `windows` chooses the calendar grains (false) or the scorecard windows
    (true); `latest_only` leaves the older live versions out.
-#}
{% macro kpi_union(windows=false, latest_only=false) -%}
    {%- set registry = kpi_registry() -%}
    {%- set latest = {} -%}
    {%- for kpi in registry -%}
        {%- if kpi.version > latest.get(kpi.kpi_id, 0) -%}
            {%- do latest.update({kpi.kpi_id: kpi.version}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set selected = [] -%}
    {%- for kpi in registry if not latest_only or latest[kpi.kpi_id] == kpi.version -%}
        {%- do selected.append(kpi) -%}
    {%- endfor -%}
    {%- for kpi in selected %}
    select
        {%- for column in kpi_output_columns() %}
        {{ column }},
        {%- endfor %}
        {{ 'true' if latest[kpi.kpi_id] == kpi.version else 'false' }} as is_latest_version
    from {{ ref('kpi_' ~ kpi.kpi_id, v=kpi.version) }}
    where {% if not windows %}not {% endif %}{{ kpi_is_window_grain('period_grain') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
