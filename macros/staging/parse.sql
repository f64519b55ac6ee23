{#-
    Parsing of raw text by logical type. Every macro takes a SQL expression of trimmed text
    (null when empty) and returns a typed expression that is null when the text does not parse;
    none of them raises on bad input. Dispatched so other engines can bring their own SQL.
-#}

{#- trim spaces, tabs and line breaks; empty -> null -#}
{% macro crm_clean_text(expr) -%}
    {{ return(adapter.dispatch('crm_clean_text', 'crm_kpi')(expr)) }}
{%- endmacro %}
{% macro default__crm_clean_text(expr) -%}
    nullif(trim(cast({{ expr }} as {{ dbt.type_string() }}), e' \t\r\n'), '')
{%- endmacro %}

{#- cast that gives null instead of an error (dbt.safe_cast is a plain cast on DuckDB) -#}
{% macro safe_cast(expr, data_type) -%}
    {{ return(adapter.dispatch('safe_cast', 'crm_kpi')(expr, data_type)) }}
{%- endmacro %}
{% macro default__safe_cast(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}

{#- does a text match a regular expression (partial match) -#}
{% macro regex_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'crm_kpi')(expr, pattern)) }}
{%- endmacro %}
{% macro default__regex_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{#- lower snake case: ' Closed Won ' -> 'closed_won', 'Mid-Market' -> 'mid_market';
    letters and digits of every script are kept ('Малий бізнес' -> 'малий_бізнес') -#}
{% macro normalise_label(expr) -%}
    {{ return(adapter.dispatch('normalise_label', 'crm_kpi')(expr)) }}
{%- endmacro %}
{% macro default__normalise_label(expr) -%}
    nullif(regexp_replace(lower({{ expr }}), '[^\pL\pN]+', '_', 'g'), '_')
{%- endmacro %}

{#-
    ISO-8601 text -> UTC timestamp (naive). A value with an offset (Z, +02:00, -0500) is taken
    as it says; a value without one is in `crm_timezone`. A date alone is midnight.
-#}
{% macro parse_timestamp(expr) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'crm_kpi')(expr)) }}
{%- endmacro %}
{% macro default__parse_timestamp(expr) -%}
    case
        when {{ regex_matches(expr, '[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]*)?)? ?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$') }}
            then timezone('UTC', {{ safe_cast(expr, 'timestamptz') }})
        else timezone('UTC', timezone('{{ var("crm_timezone") }}', {{ safe_cast(expr, 'timestamp') }}))
    end
{%- endmacro %}

{% macro parse_date(expr) -%}
    {{ return(adapter.dispatch('parse_date', 'crm_kpi')(expr)) }}
{%- endmacro %}
{% macro default__parse_date(expr) -%}
    coalesce({{ safe_cast(expr, 'date') }}, cast({{ safe_cast(expr, 'timestamp') }} as date))
{%- endmacro %}

{#- money: a finite decimal number with at most 14 integer digits -#}
{% macro parse_money(expr) -%}
    {{ return(adapter.dispatch('parse_money', 'crm_kpi')(expr)) }}
{%- endmacro %}
{% macro default__parse_money(expr) -%}
    {{ safe_cast(expr, 'decimal(18, 4)') }}
{%- endmacro %}

{% macro parse_number(expr) -%}
    {{ return(adapter.dispatch('parse_number', 'crm_kpi')(expr)) }}
{%- endmacro %}
{% macro default__parse_number(expr) -%}
    case when isfinite({{ safe_cast(expr, 'double') }}) then {{ safe_cast(expr, 'double') }} end
{%- endmacro %}

{% macro parse_integer(expr) -%}
    {{ safe_cast(expr, 'integer') }}
{%- endmacro %}

{% macro parse_boolean(expr) -%}
    case
        when lower({{ expr }}) in ('true', '1', 'yes', 't', 'y') then true
        when lower({{ expr }}) in ('false', '0', 'no', 'f', 'n') then false
    end
{%- endmacro %}

{% macro parse_currency(expr) -%}
    coalesce(upper({{ expr }}), '{{ var("reporting_currency") }}')
{%- endmacro %}

{#- a plausible e-mail address: one @, a dotted domain, no spaces -#}
{% macro is_valid_email(expr) -%}
    {{ regex_matches(expr, '^[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}$') }}
{%- endmacro %}

{#- digits only, for matching phones written differently -#}
{% macro normalise_phone(expr) -%}
    {{ return(adapter.dispatch('normalise_phone', 'crm_kpi')(expr)) }}
{%- endmacro %}
{% macro default__normalise_phone(expr) -%}
    nullif(regexp_replace({{ expr }}, '[^0-9]', '', 'g'), '')
{%- endmacro %}

{#- the parsed value of a raw text column by its contract logical type -#}
{% macro crm_parse(logical_type, expr) -%}
    {%- if logical_type == 'timestamp' -%} {{ parse_timestamp(expr) }}
    {%- elif logical_type == 'date' -%} {{ parse_date(expr) }}
    {%- elif logical_type == 'money' -%} {{ parse_money(expr) }}
    {%- elif logical_type == 'number' -%} {{ parse_number(expr) }}
    {%- elif logical_type == 'integer' -%} {{ parse_integer(expr) }}
    {%- elif logical_type == 'boolean' -%} {{ parse_boolean(expr) }}
    {%- elif logical_type in ('enum', 'label') -%} {{ normalise_label(expr) }}
    {%- elif logical_type == 'currency' -%} {{ parse_currency(expr) }}
    {%- elif logical_type == 'email' -%} lower({{ expr }})
    {%- else -%} {{ expr }}
    {%- endif -%}
{%- endmacro %}
