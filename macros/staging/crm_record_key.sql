{#- A readable text key of a record: its key column(s) joined with '|', null parts shown as ''. -#}
{% macro crm_record_key(key_columns) -%}
    {%- if key_columns | length == 0 -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        concat_ws('|', {% for column in key_columns -%}
            coalesce(cast({{ column }} as {{ dbt.type_string() }}), ''){{ ', ' if not loop.last }}
        {%- endfor %})
    {%- endif -%}
{%- endmacro %}
