{#- Validation and quarantine mechanics shared by every base_crm__<table> model. -#}

{#- `case when <condition> then '<code>' end`: one quarantine rule -#}
{% macro reason_if(condition, code) -%}
    case when {{ condition }} then '{{ code }}' end
{%- endmacro %}

{#- the non-null reasons joined with '; ', null when there are none -#}
{% macro combine_reasons(reasons) -%}
    nullif(concat_ws('; ', {{ reasons | join(', ') }}), '')
{%- endmacro %}

{#- the original text of a row as a JSON object, for the quarantine -#}
{% macro crm_row_to_json(column_names, relation_alias) -%}
    {{ return(adapter.dispatch('crm_row_to_json', 'crm_kpi')(column_names, relation_alias)) }}
{%- endmacro %}
{% macro default__crm_row_to_json(column_names, relation_alias) -%}
    cast(json_object(
        {%- for name in column_names %}
        '{{ name }}', {{ relation_alias }}.{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{#-
    `select` of every contract column of a table parsed by its logical type, plus
      is_<col>_valid (e-mails), <col>_normalised (phones), money as <col>_original,
      _contract_reasons (missing required values, unparseable values, unknown enumeration values,
      values out of the range of their type), _raw_row and _source_row_number, and the input's
      `extra_columns` unchanged (_row_hash of an incremental base model).
    Reads the `crm_extract` output under `relation_alias` (trimmed text).
    Each value is parsed once, in an inner select (`_parsed__<col>`, and `_number__<col>` for
    money), and the rules read that result: DuckDB does not share a common expression inside
    CASE, so writing the parse into each rule evaluated a timestamp's regular expression and
    casts up to four times per value (measured in docs/performance.md).
-#}
{% macro crm_parsed(table_name, relation_alias='source', extra_columns=[]) -%}
    {%- if not execute -%}
        select null as _parse_placeholder
    {%- else -%}
        {%- set columns = crm_contract_columns(table_name) -%}
        {%- set parsed_types = ('timestamp', 'date', 'money', 'number', 'integer', 'boolean',
                                'enum', 'label', 'currency', 'email') -%}
        {%- set reasons = [] -%}
    select
        {%- for column in columns -%}
            {%- set raw = 'typed.' ~ column.name -%}
            {%- set type = column.logical_type -%}
            {%- set parsed = ('typed._parsed__' ~ column.name) if type in parsed_types else raw -%}
            {%- if column.required and not column.value_may_be_empty -%}
                {%- do reasons.append(reason_if(raw ~ ' is null', 'missing:' ~ column.name)) -%}
            {%- endif -%}
            {%- if type == 'money' -%}
                {%- set number = 'typed._number__' ~ column.name -%}
                {%- do reasons.append(reason_if(
                    raw ~ ' is not null and ' ~ number ~ ' is null', 'unparseable:' ~ column.name)) -%}
                {%- do reasons.append(reason_if(
                    number ~ ' is not null and (' ~ parsed ~ ' is null or ' ~ parsed ~ ' < 0)',
                    'out_of_range:' ~ column.name)) -%}
            {%- elif type in ('timestamp', 'date', 'number', 'integer', 'boolean') -%}
                {%- do reasons.append(reason_if(
                    raw ~ ' is not null and ' ~ parsed ~ ' is null', 'unparseable:' ~ column.name)) -%}
            {%- endif -%}
            {%- if type == 'integer' -%}
                {%- do reasons.append(reason_if(parsed ~ ' < 0', 'out_of_range:' ~ column.name)) -%}
            {%- elif type in ('timestamp', 'date') -%}
                {%- do reasons.append(reason_if(
                    parsed ~ " < date '1900-01-01' or " ~ parsed ~ " >= date '2100-01-01'",
                    'out_of_range:' ~ column.name)) -%}
            {%- elif type == 'enum' -%}
                {%- do reasons.append(reason_if(
                    parsed ~ " not in ('" ~ (column.accepted_values | join("', '")) ~ "')",
                    'unknown_value:' ~ column.name)) -%}
            {%- endif -%}
            {%- if type == 'money' %}
        {{ parsed }} as {{ column.name }}_original,
            {%- else %}
        {{ parsed }} as {{ column.name }},
            {%- endif -%}
            {%- if type == 'email' %}
        {{ is_valid_email(parsed) }} as is_{{ column.name }}_valid,
            {%- elif type == 'phone' %}
        {{ normalise_phone(raw) }} as {{ column.name }}_normalised,
            {%- endif -%}
        {%- endfor %}
        {{ combine_reasons(reasons) }} as _contract_reasons,
        {{ crm_row_to_json(columns | map(attribute='name') | list, 'typed') }} as _raw_row,
        {%- for column in extra_columns %}
        typed.{{ column }},
        {%- endfor %}
        typed._source_row_number
    from (
        select
            {%- for column in columns if column.logical_type in parsed_types %}
            {{ crm_parse(column.logical_type, relation_alias ~ '.' ~ column.name) }} as _parsed__{{ column.name }},
            {%- if column.logical_type == 'money' %}
            {{ parse_number(relation_alias ~ '.' ~ column.name) }} as _number__{{ column.name }},
            {%- endif %}
            {%- endfor %}
            {{ relation_alias }}.*
        from {{ relation_alias }}
    ) as typed
    {%- endif -%}
{%- endmacro %}

{#-
    The final quarantine reasons: the row's own reasons, else `duplicate_superseded` when a newer
    valid row has the same key (latest `updated_at` when the table has it, else the later row in
    the file). Duplicates are resolved among valid rows only, so a corrupt newer row does not
    hide the last good version of a record.
-#}
{% macro quarantine_reasons_with_duplicates(row_reasons, key_columns, updated_at=none) -%}
    coalesce(
        {{ row_reasons }},
        case
            when row_number() over (
                partition by ({{ row_reasons }} is null), {{ key_columns | join(', ') }}
                order by {% if updated_at %}{{ updated_at }} desc nulls last, {% endif %}_source_row_number desc
            ) > 1 then 'duplicate_superseded'
        end
    )
{%- endmacro %}

{#- exchange rate of a row's currency into the reporting currency, given a joined `rate` alias -#}
{% macro exchange_rate(currency_expr, rate_alias='rate') -%}
    case
        when {{ currency_expr }} = '{{ var("reporting_currency") }}' then cast(1 as double)
        else {{ rate_alias }}.rate_to_reporting
    end
{%- endmacro %}

{#- left join of the rate in force for a currency at a date (rates apply until the next one) -#}
{% macro join_exchange_rate(currency_expr, at_expr, rate_alias='rate') -%}
    left join {{ ref('stg_crm__exchange_rates') }} as {{ rate_alias }}
        on {{ rate_alias }}.currency = {{ currency_expr }}
        and cast({{ at_expr }} as date) >= {{ rate_alias }}.rate_date
        and (
            {{ rate_alias }}.valid_until is null
            or cast({{ at_expr }} as date) < {{ rate_alias }}.valid_until
        )
{%- endmacro %}

{#- money in the reporting currency (amount × rate is a double, rounded to 4 decimals) -#}
{% macro to_reporting_currency(amount_expr, rate_expr='_exchange_rate') -%}
    {{ return(adapter.dispatch('to_reporting_currency', 'crm_kpi')(amount_expr, rate_expr)) }}
{%- endmacro %}
{% macro default__to_reporting_currency(amount_expr, rate_expr) -%}
    cast({{ amount_expr }} * {{ rate_expr }} as decimal(18, 4))
{%- endmacro %}
