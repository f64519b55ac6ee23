{#-
    Incremental base models (the large extracts: customers, leads, opportunities, orders,
    subscriptions, activities, tickets, survey_responses, usage_events, web_sessions).

    An extract is a full snapshot, so what changed is found by comparing it with what the base
    model holds, not by a watermark: every raw row gets a fingerprint (_row_hash) of its cleaned
    text, its position in the file and everything else its parsed values depend on (the
    timezone and reporting currency settings; for converted money, the exchange rates). A key is
    touched when the multiset of its rows' fingerprints differs between the extract and the
    table: new and changed rows, a duplicate added or gone, a row moved in the file, a key gone
    from the extract. An incremental run deletes the touched keys and the rows without a key
    (crm_base_replace_touched, a pre-hook), then parses, validates and de-duplicates only the raw
    rows of touched keys and of no key (all of a key's rows, so 'the latest version wins' is
    decided among the same rows as in a full build) and appends them. The result is the table
    a full refresh builds, which pytests/test_incremental.py checks row for row.

    Not seen (they need `dbt build --full-refresh`): a change of the staging rules themselves
    (a model or macro edited) and of the contract.
-#}

{#-
    The raw rows of an extract to (re-)derive, with their fingerprint _row_hash. The model and its
    pre-hook name only the table: the key and the fingerprint come from the contract
    (crm_contract_key, crm_row_fingerprint), so the two can never compare different things.
-#}
{% macro crm_extract_changes(table_name) -%}
    {%- if not execute -%}
        {#- parsing: crm_extract records the dependencies; the contract is not read yet -#}
        {{ return(crm_extract(table_name)) }}
    {%- endif -%}
    {#- only a run has the pre-hook's touched keys; `dbt show` and `compile` give the full select -#}
    {%- set incremental = is_incremental() and flags.WHICH in ('run', 'build', 'retry') -%}
    {%- set key = crm_contract_key(table_name) -%}
    {%- if incremental -%}
        {%- do crm_require_incremental_column('_row_hash') -%}
    {%- endif -%}
    select
        extract.*,
        {{ crm_row_fingerprint(table_name, 'extract') }} as _row_hash
    from ({{ crm_extract(table_name) }}) as extract
    {%- if incremental %}
    where
        extract.{{ key }} is null
        or extract.{{ key }} in (select {{ key }} from {{ crm_touched_keys_relation() }})
    {%- endif %}
{%- endmacro %}

{#-
    Pre-hook of an incremental base model (nothing on a full build): finds the touched keys, the
    keys whose rows differ between the extract and the table either way (a full outer join on
    key and fingerprint: new, changed, moved, duplicated and vanished keys alike), into a
    temporary table that crm_extract_changes reads, then deletes those keys and the rows without
    a key from the table. The model's rows are then appended: the re-derived rows of the touched
    keys that are still in the extract. One comparison finds both what to re-derive and what to
    delete (the extract's keys are not read a second time for the vanished ones).
-#}
{% macro crm_base_replace_touched(table_name) -%}
    {%- if is_incremental() -%}
    {%- set key = crm_contract_key(table_name) -%}
    create or replace temporary table {{ crm_touched_keys_relation() }} as
    select distinct coalesce(current_rows.{{ key }}, stored_rows.{{ key }}) as {{ key }}
    from (
        select
            extract.{{ key }},
            {{ crm_row_fingerprint(table_name, 'extract') }} as _row_hash
        from ({{ crm_extract(table_name) }}) as extract
        where extract.{{ key }} is not null
    ) as current_rows
    full outer join (
        select {{ key }}, _row_hash from {{ this }} where {{ key }} is not null
    ) as stored_rows
        on current_rows.{{ key }} = stored_rows.{{ key }}
        and current_rows._row_hash = stored_rows._row_hash
    where current_rows._row_hash is null or stored_rows._row_hash is null;

    delete from {{ this }}
    where
        {{ key }} is null
        or {{ key }} in (select {{ key }} from {{ crm_touched_keys_relation() }})
    {%- endif -%}
{%- endmacro %}

{#- the temporary table of the touched keys of the model being built -#}
{% macro crm_touched_keys_relation() -%}
    {{ return(this.identifier ~ '__touched_keys') }}
{%- endmacro %}

{#-
    Fingerprint of a raw row: its contract columns as cleaned text, its position, the settings
    the parse depends on and, for a table with money and a currency column (its amounts are
    converted to the reporting currency), the staged exchange rates
    (crm_exchange_rates_fingerprint). Such a model joins the exchange rates itself, so the ref
    is declared where it parses.
-#}
{% macro crm_row_fingerprint(table_name, relation_alias) -%}
    {%- set parts = [] -%}
    {%- set columns = crm_contract_columns(table_name) -%}
    {%- for column in columns -%}
        {%- do parts.append(relation_alias ~ '.' ~ column.name) -%}
    {%- endfor -%}
    {%- do parts.append(relation_alias ~ '._source_row_number') -%}
    {%- do parts.append("'" ~ var('crm_timezone') ~ "|" ~ var('reporting_currency') ~ "'") -%}
    {%- set logical_types = columns | map(attribute='logical_type') | list -%}
    {%- if 'money' in logical_types and 'currency' in logical_types -%}
        {%- do parts.append(crm_exchange_rates_fingerprint()) -%}
    {%- endif -%}
    {{ return(adapter.dispatch('crm_row_fingerprint', 'crm_kpi')(parts)) }}
{%- endmacro %}
{% macro default__crm_row_fingerprint(parts) -%}
    hash({{ parts | join(', ') }})
{%- endmacro %}

{#- one value that changes whenever the staged exchange rates change (scalar subquery) -#}
{% macro crm_exchange_rates_fingerprint() -%}
    {{ return(adapter.dispatch('crm_exchange_rates_fingerprint', 'crm_kpi')()) }}
{%- endmacro %}
{% macro default__crm_exchange_rates_fingerprint() -%}
    (
        select hash(string_agg(
            concat_ws('|', currency, cast(rate_date as {{ dbt.type_string() }}),
                cast(rate_to_reporting as {{ dbt.type_string() }}), cast(valid_until as {{ dbt.type_string() }})),
            ',' order by currency, rate_date
        ))
        from {{ ref('stg_crm__exchange_rates') }}
    )
{%- endmacro %}
