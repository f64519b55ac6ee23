{#- Generated from seeds/reference/kpi_definitions.csv by `python -m crm_kpi.kpi_models`:
    every KPI model version in the catalog. Refs must be known at parse time, so the
    list is written out here. -#}
{% macro kpi_registry() -%}
    {{ return([
        {'kpi_id': 'revenue', 'version': 1, 'category': 'sales_finance'},
        {'kpi_id': 'win_rate', 'version': 1, 'category': 'sales_finance'}
    ]) }}
{%- endmacro %}
