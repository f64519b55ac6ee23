{#-
    Apache Spark implementations of the dispatched macros (dbt-spark, docs/scale-out.md).
    `default__` is the DuckDB SQL, next to each macro's definition; these give the same results
    on Spark SQL. Notes on Spark SQL that shape them:
      * double-quoted text is a string literal, identifiers are quoted with backticks;
      * in string literals a backslash escapes the next character ('\\pL' is the regex \pL);
      * `varchar` needs a length (types here are `string`, dbt.type_string());
      * dbt-spark forces ANSI mode off, so a plain cast gives null on bad text: try_cast is used
        anyway, to say so;
      * the session time zone is UTC (profiles.yml), so a naive timestamp is a UTC instant.
-#}

{#- ---- reading the extracts (loaded into tables by crm_kpi.spark_loader) ---------------- -#}

{#- The schema the runner's loader writes the extracts to (crm_kpi.spark_loader.RAW_SCHEMA). -#}
{% macro spark_raw_schema() -%}
    {{ return(env_var('CRM_SPARK_RAW_SCHEMA', 'crm_raw')) }}
{%- endmacro %}

{#- On Spark the bundled sample is loaded by the runner, like any extracts folder. -#}
{% macro spark__crm_extract_reads_seed() -%}
    {{ return(false) }}
{%- endmacro %}

{% macro spark__crm_resolve_input(table_name, extracts_dir, seed_relation) -%}
    {%- set node = crm_contract_table(table_name) -%}
    {%- set required = (node.meta or {}).get('required', false) -%}
    {%- set relation = adapter.get_relation(
        database=none, schema=spark_raw_schema(), identifier=table_name) -%}
    {%- if relation is not none -%}
        {{ return({'label': table_name ~ ' (' ~ relation ~ ')', 'from_sql': relation ~ ''}) }}
    {%- endif -%}
    {%- if required -%}
        {{ exceptions.raise_compiler_error(
            "Required extract '" ~ table_name ~ "' not loaded: expected the table "
            ~ spark_raw_schema() ~ "." ~ table_name ~ " (run `crm-kpi build --target spark`, "
            ~ "which loads the extracts first)") }}
    {%- endif -%}
    {{ return({'label': table_name ~ ' (absent optional extract)', 'from_sql': none}) }}
{%- endmacro %}

{% macro spark__crm_present_columns(input) -%}
    {%- set described = run_query('describe query select * from ' ~ input.from_sql) -%}
    {%- set present = {} -%}
    {%- for row in described.rows -%}
        {%- set key = crm_column_key(row[0]) -%}
        {%- if key not in present and key != '_source_row_number' -%}
            {%- do present.update({key: row[0]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(present) }}
{%- endmacro %}

{#- the loader numbers the rows in file order (Spark has no row_number() over ()) -#}
{% macro spark__crm_numbered_input(input, present) -%}
    {{ return({'from_sql': input.from_sql, 'row_number': 'cast(_source_row_number as bigint)'}) }}
{%- endmacro %}

{% macro spark__crm_quote_identifier(name) -%}
    `{{ name | replace('`', '``') }}`
{%- endmacro %}

{#- ---- parsing (macros/staging/parse.sql) ------------------------------------------------ -#}

{% macro spark__crm_clean_text(expr) -%}
    nullif(trim(both ' \t\r\n' from cast({{ expr }} as string)), '')
{%- endmacro %}

{% macro spark__safe_cast(expr, data_type) -%}
    {%- set spark_type = {'timestamptz': 'timestamp', 'varchar': 'string'}.get(data_type, data_type) -%}
    try_cast({{ expr }} as {{ spark_type }})
{%- endmacro %}

{% macro spark__regex_matches(expr, pattern) -%}
    regexp_like({{ expr }}, '{{ pattern | replace("\\", "\\\\") }}')
{%- endmacro %}

{% macro spark__normalise_label(expr) -%}
    nullif(regexp_replace(lower({{ expr }}), '[^\\pL\\pN]+', '_'), '_')
{%- endmacro %}

{% macro spark__normalise_phone(expr) -%}
    nullif(regexp_replace({{ expr }}, '[^0-9]', ''), '')
{%- endmacro %}

{#-
    Spark casts more text to dates and timestamps than DuckDB does ('2024' is 2024-01-01):
    only text that starts like an ISO date is cast, as on DuckDB. An offset is read in upper
    case (Spark rejects a lower-case 'z').
-#}
{% macro spark__parse_timestamp(expr) -%}
    case
        when not {{ regex_matches(expr, '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}') }} then null
        when {{ regex_matches(expr, '[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]*)?)? ?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$') }}
            then {{ safe_cast('upper(' ~ expr ~ ')', 'timestamp') }}
        else to_utc_timestamp({{ safe_cast(expr, 'timestamp') }}, '{{ var("crm_timezone") }}')
    end
{%- endmacro %}

{% macro spark__parse_date(expr) -%}
    case
        when {{ regex_matches(expr, '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}') }}
            then {{ safe_cast(expr, 'date') }}
    end
{%- endmacro %}

{% macro spark__parse_number(expr) -%}
    case
        when not isnan({{ safe_cast(expr, 'double') }})
            and abs({{ safe_cast(expr, 'double') }}) < cast('Infinity' as double)
            then {{ safe_cast(expr, 'double') }}
    end
{%- endmacro %}

{#- null values are kept (Spark's to_json drops null fields unless told not to) -#}
{% macro spark__crm_row_to_json(column_names, relation_alias) -%}
    to_json(named_struct(
        {%- for name in column_names %}
        '{{ name }}', {{ relation_alias }}.{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}

{#-
    DuckDB casts a double to decimal(18, 4) by rounding value × 10^4 (computed as a double) half
    away from zero; Spark rounds the double's shortest decimal text half up, which differs in
    the 4th decimal now and then (0.00015 is 0.0001 on DuckDB, 0.0002 on Spark). The same
    steps as DuckDB, written out, give the same money amounts on both engines.
-#}
{% macro spark__to_reporting_currency(amount_expr, rate_expr) -%}
    cast(cast(round(({{ amount_expr }} * {{ rate_expr }}) * 10000d) as decimal(18, 0)) * 0.0001 as decimal(18, 4))
{%- endmacro %}

{#- ---- time (macros/utils/time.sql) ------------------------------------------------------- -#}

{% macro spark__epoch_seconds(expr) -%}
    (unix_micros(cast({{ expr }} as timestamp)) / 1000000.0d)
{%- endmacro %}

{% macro spark__utc_to_local(expr) -%}
    from_utc_timestamp({{ expr }}, '{{ var("crm_timezone") }}')
{%- endmacro %}

{% macro spark__local_to_utc(expr) -%}
    to_utc_timestamp({{ expr }}, '{{ var("crm_timezone") }}')
{%- endmacro %}

{% macro spark__iso_day_of_week(expr) -%}
    cast(weekday({{ expr }}) + 1 as int)
{%- endmacro %}

{#- ---- KPI mechanics (macros/kpi/) --------------------------------------------------------- -#}

{#- exact median, interpolated between the two middle values like DuckDB's median -#}
{% macro spark__kpi_median(expr) -%}
    percentile({{ expr }}, 0.5)
{%- endmacro %}

{#- dbt-spark's listagg ignores `order by`: sort (order key, value) pairs, then keep the values -#}
{% macro spark__kpi_ordered_listagg(expr, order_expr) -%}
    nullif(array_join(transform(
        array_sort(collect_list(named_struct('k', {{ order_expr }}, 'v', {{ expr }}))),
        x -> x.v
    ), '; '), '')
{%- endmacro %}

{#- ---- `varchar` in locked KPI SQL --------------------------------------------------------

    Two published (locked) KPI versions write `cast(null as varchar)`
    (kpi_customer_lifetime_value_v1, kpi_activities_per_user_v1), which Spark rejects
    (varchar needs a length). Their SQL cannot be edited, so on Spark the type name alone is
    rewritten to `string` (the same type) in the three places dbt runs a model's SQL: the
    table it builds, the empty query of the contract check and the unit-test query. Only the
    exact form `as varchar)` is touched. New SQL writes {{ dbt.type_string() }} instead.
-#}
{% macro spark_portable_sql(sql) -%}
    {{ return(modules.re.sub('(?i)\\bas\\s+varchar\\s*\\)', 'as string)', sql)) }}
{%- endmacro %}

{% macro spark__create_table_as(temporary, relation, compiled_code, language='sql') -%}
    {%- set code = spark_portable_sql(compiled_code) if language == 'sql' else compiled_code -%}
    {{ return(dbt.spark__create_table_as(temporary, relation, code, language)) }}
{%- endmacro %}

{% macro spark__get_empty_subquery_sql(select_sql, select_sql_header=none) -%}
    {{ return(dbt.default__get_empty_subquery_sql(spark_portable_sql(select_sql), select_sql_header)) }}
{%- endmacro %}

{% macro spark__get_unit_test_sql(main_sql, expected_fixture_sql, expected_column_names) -%}
    {{ return(dbt.default__get_unit_test_sql(
        spark_portable_sql(main_sql), expected_fixture_sql, expected_column_names)) }}
{%- endmacro %}

{#- ---- fingerprints of raw rows (macros/staging/incremental_base.sql) ------------------- -#}

{#- Spark builds the base models as plain tables; the fingerprint is kept for the same columns. -#}
{% macro spark__crm_row_fingerprint(parts) -%}
    xxhash64({{ parts | join(', ') }})
{%- endmacro %}

{% macro spark__crm_exchange_rates_fingerprint() -%}
    (
        select xxhash64(concat_ws(',', array_sort(collect_list(concat_ws('|', currency,
            cast(rate_date as string), cast(rate_to_reporting as string), cast(valid_until as string))))))
        from {{ ref('stg_crm__exchange_rates') }}
    )
{%- endmacro %}
