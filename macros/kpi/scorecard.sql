{#- (value − baseline) / |baseline|, null when the baseline is zero or missing -#}
{% macro relative_change(value, baseline) -%}
    ({{ value }} - {{ baseline }}) / nullif(abs({{ baseline }}), 0)
{%- endmacro %}

{#- true when the condition holds on any row of the group -#}
{% macro bool_or_sql(condition) -%}
    max(case when {{ condition }} then 1 else 0 end) = 1
{%- endmacro %}
