{#-
    Columns that would carry personal data in clear, and a scan of the built marts for them
    (used by tests/core_marts_have_no_personal_data.sql). Personal data appear in marts only as
    keyed hashes (*_hash, macro pii_hash).
-#}
{% macro personal_data_column_names() -%}
    {{ return(['email', 'phone', 'phone_normalised', 'full_name', 'customer_name', 'first_name', 'last_name']) }}
{%- endmacro %}

{#- [(model_name, column_name)] of every built model of the marts folder with a personal-data column -#}
{% macro marts_personal_data_columns() -%}
    {%- set offenders = [] -%}
    {%- if execute -%}
        {%- set forbidden = personal_data_column_names() -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' and 'marts' in node.fqn -%}
            {%- set relation = adapter.get_relation(
                database=node.database, schema=node.schema, identifier=node.alias) -%}
            {%- if relation is not none -%}
                {%- for column in adapter.get_columns_in_relation(relation) -%}
                    {%- if column.name | lower in forbidden -%}
                        {%- do offenders.append((node.name, column.name | lower)) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(offenders) }}
{%- endmacro %}
