{#- Custom schemas are used as they are (`staging`, `intermediate`, `marts`, `raw`), not
    prefixed with the target schema as dbt does by default (`main_marts`). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
