{#-
    `select` of one raw extract with every contract column as trimmed text (empty -> null) and
    `_source_row_number`, from the bundled seed (default) or from CRM_EXTRACTS_DIR (CSV or
    Parquet read directly by DuckDB). Column names are matched case-insensitively after
    trimming; extra columns are ignored; a missing required file or column stops the build with
    a message naming it; absent optional columns and tables become typed nulls. A CSV that cannot
    be read as text (empty, binary, not UTF-8) or split into the columns of its header (a row
    with extra or missing fields, no contract column in the header) stops the build with a
    message naming the file and, where it applies, the line.
-#}
{% macro crm_extract(table_name) -%}
    {%- set extracts_dir = crm_extracts_dir() -%}
    {%- if not extracts_dir and crm_extract_reads_seed() -%}
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
                cast(null as {{ dbt.type_string() }}) as {{ column.name }},
            {%- endfor %}
                cast(null as bigint) as _source_row_number
            where 1 = 0
        {%- else -%}
            {%- set present = crm_present_columns(input) -%}
            {%- set numbered = crm_numbered_input(input, present) -%}
            {%- set known = columns | selectattr('name', 'in', present) | list -%}
            {%- if known | length == 0 -%}
                {%- if input.get('extension') == 'csv' -%}
                    {%- do crm_check_field_counts(input.path, input.label) -%}
                {%- endif -%}
                {{ exceptions.raise_compiler_error(
                    "Extract " ~ input.label ~ " has none of the columns of '" ~ table_name
                    ~ "' in its header (is it a CSV file with a header row?); columns found: "
                    ~ (present.values() | list | join(', ')) | truncate(200)) }}
            {%- endif -%}
            select
            {%- for column in columns %}
                {%- set actual = present.get(column.name) %}
                {%- if actual is none and column.required -%}
                    {{ exceptions.raise_compiler_error(
                        "Extract " ~ input.label ~ ": required column '" ~ column.name
                        ~ "' is missing (columns found: " ~ (present.values() | list | join(', ')) ~ ")") }}
                {%- elif actual is none %}
                cast(null as {{ dbt.type_string() }}) as {{ column.name }},
                {%- else %}
                {{ crm_clean_text(crm_quote_identifier(actual)) }} as {{ column.name }},
                {%- endif %}
            {%- endfor %}
                {{ numbered.row_number }} as _source_row_number
            from {{ numbered.from_sql }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Does the bundled sample come from the seeds (DuckDB) or, like any extracts, from a loader? -#}
{% macro crm_extract_reads_seed() -%}
    {{ return(adapter.dispatch('crm_extract_reads_seed', 'crm_kpi')()) }}
{%- endmacro %}

{% macro default__crm_extract_reads_seed() -%}
    {{ return(true) }}
{%- endmacro %}

{#-
    {from_sql, row_number}: what to read and the expression of the row's number in file order,
    from 1. A Parquet file is read with DuckDB's `file_row_number` (numbered by the parallel
    scan) unless it has a column of that name; a CSV file or a seed table is numbered with
    `row_number() over ()` in insertion order, a window over the whole table that runs on one
    thread: at 1M orders it was half the time of the activities base model (docs/performance.md).
-#}
{% macro crm_numbered_input(input, present) -%}
    {{ return(adapter.dispatch('crm_numbered_input', 'crm_kpi')(input, present)) }}
{%- endmacro %}

{% macro default__crm_numbered_input(input, present) -%}
    {%- if input.get('extension') == 'parquet' and 'file_row_number' not in present -%}
        {{ return({
            'from_sql': 'read_parquet(' ~ crm_sql_string(input.path) ~ ', file_row_number = true)',
            'row_number': 'file_row_number + 1'}) }}
    {%- endif -%}
    {{ return({'from_sql': input.from_sql, 'row_number': 'row_number() over ()'}) }}
{%- endmacro %}

{#- {label, from_sql} of the input of a table; from_sql is none for an absent optional extract. -#}
{% macro crm_resolve_input(table_name, extracts_dir, seed_relation) -%}
    {{ return(adapter.dispatch('crm_resolve_input', 'crm_kpi')(table_name, extracts_dir, seed_relation)) }}
{%- endmacro %}

{% macro default__crm_resolve_input(table_name, extracts_dir, seed_relation) -%}
    {%- set node = crm_contract_table(table_name) -%}
    {%- set required = (node.meta or {}).get('required', false) -%}
    {%- if not extracts_dir -%}
        {{ return({'label': 'seed ' ~ table_name, 'from_sql': seed_relation ~ ''}) }}
    {%- endif -%}
    {%- for extension in ['csv', 'parquet'] -%}
        {%- set path = extracts_dir.rstrip('/') ~ '/' ~ table_name ~ '.' ~ extension -%}
        {%- if crm_file_exists(path) -%}
            {%- set label = table_name ~ '.' ~ extension -%}
            {%- if extension == 'csv' -%}
                {%- do crm_check_text_file(path, label) -%}
            {%- endif -%}
            {{ return({
                'label': label, 'from_sql': crm_read_file(path, extension),
                'path': path, 'extension': extension}) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if required -%}
        {{ exceptions.raise_compiler_error(
            "Required extract '" ~ table_name ~ "' not found: expected " ~ table_name ~ ".csv or "
            ~ table_name ~ ".parquet in " ~ extracts_dir) }}
    {%- endif -%}
    {{ return({'label': table_name ~ ' (absent optional extract)', 'from_sql': none}) }}
{%- endmacro %}

{#-
    {matching key: actual name} of the columns an input really has. The key is the name
    lower-cased and trimmed, without a UTF-8 byte order mark (U+FEFF) and without the double
    quotes a BOM leaves around a quoted first header (`\ufeff"customer_id"` reads as
    `"customer_id"`, because the BOM hides the opening quote from the CSV reader).
-#}
{% macro crm_present_columns(input) -%}
    {{ return(adapter.dispatch('crm_present_columns', 'crm_kpi')(input)) }}
{%- endmacro %}

{% macro default__crm_present_columns(input) -%}
    {%- set described = run_query('describe select * from ' ~ input.from_sql) -%}
    {%- set present = {} -%}
    {%- for row in described.rows -%}
        {%- set key = crm_column_key(row[0]) -%}
        {%- if key not in present -%}
            {%- do present.update({key: row[0]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(present) }}
{%- endmacro %}

{% macro crm_column_key(name) -%}
    {%- set key = name | replace('\ufeff', '') | trim | lower -%}
    {%- if key | length > 1 and key.startswith('"') and key.endswith('"') -%}
        {%- set key = key[1:-1] | replace('""', '"') | trim -%}
    {%- endif -%}
    {{ return(key) }}
{%- endmacro %}

{#-
    Stop the build, naming the file, when a CSV extract cannot be read as text: an empty file
    (0 bytes, not even a header), binary content (NUL bytes: a spreadsheet, PDF or archive saved
    as .csv) or bytes that are not UTF-8 (with the first line that has them).
-#}
{% macro crm_check_text_file(path, label) -%}
    {{ return(adapter.dispatch('crm_check_text_file', 'crm_kpi')(path, label)) }}
{%- endmacro %}

{% macro default__crm_check_text_file(path, label) -%}
    {%- set probe = run_query(
        "select size, case when try(decode(content)) is null"
        ~ " then regexp_matches(regexp_replace(hex(content), '(..)', '\\1 ', 'g'), '(^| )00 ')"
        ~ " else contains(try(decode(content)), chr(0)) end, try(decode(content)) is null"
        ~ " from read_blob(" ~ crm_sql_string(path) ~ ")") -%}
    {%- set size, is_binary, is_not_utf8 = probe.rows[0] -%}
    {%- if size == 0 -%}
        {{ exceptions.raise_compiler_error(
            "Extract " ~ label ~ " is empty (0 bytes): expected a header row naming the columns ("
            ~ path ~ ")") }}
    {%- elif is_binary -%}
        {{ exceptions.raise_compiler_error(
            "Extract " ~ label ~ " is not a CSV text file (it contains binary data; is it a "
            ~ "spreadsheet or an archive saved as .csv?) (" ~ path ~ ")") }}
    {%- elif is_not_utf8 -%}
        {%- set lines = run_query(
            "select list_position(list_transform(string_split("
            ~ "regexp_replace(hex(content), '(..)', '\\1 ', 'g'), '0A '), "
            ~ "lambda x: try(decode(unhex(replace(x, ' ', '')))) is null), true) "
            ~ "from read_blob(" ~ crm_sql_string(path) ~ ")") -%}
        {{ exceptions.raise_compiler_error(
            "Extract " ~ label ~ ": line " ~ lines.rows[0][0] ~ " is not valid UTF-8 text "
            ~ "(save the export as UTF-8) (" ~ path ~ ")") }}
    {%- endif -%}
{%- endmacro %}

{% macro crm_quote_identifier(name) -%}
    {{ return(adapter.dispatch('crm_quote_identifier', 'crm_kpi')(name)) }}
{%- endmacro %}

{% macro default__crm_quote_identifier(name) -%}
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
        {#- skip = 0: the header is the first line (the sniffer would otherwise skip lines) -#}
        read_csv({{ crm_sql_string(path) }}, header = true, all_varchar = true, auto_detect = true, skip = 0)
    {%- else -%}
        read_parquet({{ crm_sql_string(path) }})
    {%- endif -%}
{%- endmacro %}

{#-
    When a CSV cannot be split into columns (the reader falls back to one column holding whole
    lines), name the first line whose number of commas differs from the header's: a row with
    extra or missing fields. Lines with quotes are not counted (their commas may be data).
-#}
{% macro crm_check_field_counts(path, label) -%}
    {{ return(adapter.dispatch('crm_check_field_counts', 'crm_kpi')(path, label)) }}
{%- endmacro %}

{% macro default__crm_check_field_counts(path, label) -%}
    {%- set found = run_query(
        "with lines as (select row_number() over () as n, line, "
        ~ "length(line) - length(replace(line, ',', '')) + 1 as fields from read_csv("
        ~ crm_sql_string(path) ~ ", columns = {'line': 'VARCHAR'}, header = false, "
        ~ "auto_detect = false, delim = e'\\x01', quote = '', escape = '', skip = 0, "
        ~ "strict_mode = false)) "
        ~ "select n, fields, (select fields from lines where n = 1) from lines "
        ~ "where n > 1 and strpos(line, '\"') = 0 "
        ~ "and fields <> (select fields from lines where n = 1) order by n limit 1") -%}
    {%- if found.rows | length > 0 -%}
        {%- set line, fields, expected = found.rows[0] -%}
        {{ exceptions.raise_compiler_error(
            "Extract " ~ label ~ ": line " ~ line ~ " has " ~ fields ~ " fields, the header has "
            ~ expected ~ " (every row needs one value per header column; quote values that "
            ~ "contain commas) (" ~ path ~ ")") }}
    {%- endif -%}
{%- endmacro %}
