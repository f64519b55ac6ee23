{#- The input contract lives in models/staging/crm/_crm__sources.yml; these macros read it. -#}

{#- The contract's tables, in a fixed order. Refs must be known at parse time, when `graph` is
    empty, so the list is written here once; pytests/test_contract.py checks it matches the YAML. -#}
{% macro crm_tables() -%}
    {{ return([
        'customers', 'leads', 'opportunities', 'orders', 'subscriptions', 'activities',
        'tickets', 'survey_responses', 'campaigns', 'users', 'usage_events', 'trainings',
        'sales_targets', 'crm_costs', 'web_sessions', 'exchange_rates', 'holidays'
    ]) }}
{%- endmacro %}

{#- The source node of a contract table (execution time only). -#}
{% macro crm_contract_table(table_name) -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name == 'crm' and node.name == table_name -%}
            {{ return(node) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("'" ~ table_name ~ "' is not a table of the input contract") }}
{%- endmacro %}

{#- [{name, logical_type, required, accepted_values}] of a contract table, in contract order. -#}
{% macro crm_contract_columns(table_name) -%}
    {%- set node = crm_contract_table(table_name) -%}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set meta = column.meta or {} -%}
        {%- do columns.append({
            'name': column.name,
            'logical_type': meta.get('logical_type', 'text'),
            'required': meta.get('required', false),
            'value_may_be_empty': meta.get('value_may_be_empty', false),
            'accepted_values': meta.get('accepted_values', []),
        }) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- The one-column primary key of a contract table (meta.primary_key; execution time only). -#}
{% macro crm_contract_key(table_name) -%}
    {%- set key = (crm_contract_table(table_name).meta or {}).get('primary_key', []) -%}
    {%- if key | length != 1 -%}
        {{ exceptions.raise_compiler_error("'" ~ table_name ~ "' has no one-column primary_key in the input contract") }}
    {%- endif -%}
    {{ return(key[0]) }}
{%- endmacro %}

{% macro crm_extracts_dir() -%}
    {{ return(env_var('CRM_EXTRACTS_DIR', '') | trim) }}
{%- endmacro %}
