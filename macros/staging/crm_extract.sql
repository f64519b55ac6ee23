{#-
    `select` of one raw extract with every contract column as trimmed text (empty -> null) and
    `_source_row_number`, from the bundled seed (default) or from CRM_EXTRACTS_DIR (CSV or
    Parquet read directly by DuckDB). Column names are matched case-insensitively after
    trimming; extra columns are ignored; a missing required file or column stops the build with
    a message naming it; absent optional columns and tables become typed nulls.
-#}
{% macro crm_extract(table_name) -%}
    {%- set extracts_dir = crm_extracts_dir() -%}
    {%- if not extracts_dir -%}
        {#- The seed is a dependency only when it is the input, so `dbt build` orders it first. -#}
        {%- set seed_relation = ref(table_name) -%}
    {%- endif -%}
    {%- if not execute -%}
        select 1 as _parse_placeholder
    {%- else -%}
        {%- set input = crm_resolve_input(table_name, extracts_dir, seed_relation) -%}
        {%- set columns = crm_contract_columns(table_name) -%}
        {%- if input.from_sql is none -%}
            select
            {%- for column in columns %}
                cast(null as varchar) as {{ column.name }},
            {%- endfor %}
                cast(null as bigint) as _source_row_number
            where 1 = 0
        {%- else -%}
            {%- set present = crm_present_columns(input) -%}
            select
            {%- for column in columns %}
                {%- set actual = present.get(column.name) %}
                {%- if actual is none and column.required -%}
                    {{ exceptions.raise_compiler_error(
                        "Extract " ~ input.label ~ ": required column '" ~ column.name
                        ~ "' is missing (columns found: " ~ (present.values() | list | join(', ')) ~ ")") }}
                {%- elif actual is none %}
                cast(null as varchar) as {{ column.name }},
                {%- else %}
                {{ crm_clean_text(crm_quote_identifier(actual)) }} as {{ column.name }},
                {%- endif %}
            {%- endfor %}
                row_number() over () as _source_row_number
            from {{ input.from_sql }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- {label, from_sql} of the input of a table; from_sql is none for an absent optional extract. -#}
{% macro crm_resolve_input(table_name, extracts_dir, seed_relation) -%}
    {%- set node = crm_contract_table(table_name) -%}
    {%- set required = (node.meta or {}).get('required', false) -%}
    {%- if not extracts_dir -%}
        {{ return({'label': 'seed ' ~ table_name, 'from_sql': seed_relation ~ ''}) }}
    {%- endif -%}
    {%- for extension in ['csv', 'parquet'] -%}
        {%- set path = extracts_dir.rstrip('/') ~ '/' ~ table_name ~ '.' ~ extension -%}
        {%- if crm_file_exists(path) -%}
            {{ return({'label': table_name ~ '.' ~ extension, 'from_sql': crm_read_file(path, extension)}) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if required -%}
        {{ exceptions.raise_compiler_error(
            "Required extract '" ~ table_name ~ "' not found: expected " ~ table_name ~ ".csv or "
            ~ table_name ~ ".parquet in " ~ extracts_dir) }}
    {%- endif -%}
    {{ return({'label': table_name ~ ' (absent optional extract)', 'from_sql': none}) }}
{%- endmacro %}

{#- {lower-cased trimmed name: actual name} of the columns an input really has. -#}
{% macro crm_present_columns(input) -%}
    {%- set described = run_query('describe select * from ' ~ input.from_sql) -%}
    {%- set present = {} -%}
    {%- for row in described.rows -%}
        {%- set key = row[0] | trim | lower -%}
        {%- if key not in present -%}
            {%- do present.update({key: row[0]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(present) }}
{%- endmacro %}

{% macro crm_quote_identifier(name) -%}
    "{{ name | replace('"', '""') }}"
{%- endmacro %}

{% macro crm_sql_string(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{% macro crm_file_exists(path) -%}
    {{ return(adapter.dispatch('crm_file_exists', 'crm_kpi')(path)) }}
{%- endmacro %}

{% macro default__crm_file_exists(path) -%}
    {%- set result = run_query('select count(*) from glob(' ~ crm_sql_string(path) ~ ')') -%}
    {{ return(result.rows[0][0] > 0) }}
{%- endmacro %}

{% macro crm_read_file(path, extension) -%}
    {{ return(adapter.dispatch('crm_read_file', 'crm_kpi')(path, extension)) }}
{%- endmacro %}

{% macro default__crm_read_file(path, extension) -%}
    {%- if extension == 'csv' -%}
        read_csv({{ crm_sql_string(path) }}, header = true, all_varchar = true, auto_detect = true)
    {%- else -%}
        read_parquet({{ crm_sql_string(path) }})
    {%- endif -%}
{%- endmacro %}
