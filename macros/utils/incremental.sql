{#-
    Incremental mechanics of the large facts (fct_orders, fct_activities, fct_usage_events,
    fct_tickets). An incremental run re-derives only the rows whose latest change is at or after
    the cutoff (the latest change already in the table minus var('incremental_lookback_days'),
    for late and updated rows) and replaces them by key; `dbt build --full-refresh` rebuilds all.
    What a run does not see (documented in docs/performance.md): rows deleted from the extracts,
    changes of a user's team or licence, and a change of a setting (as_of_date, timezone ...):
    those need a full refresh.
-#}

{#- incremental where the adapter replaces rows by key (DuckDB: delete+insert); a plain table
    elsewhere (Spark on Parquet files has no merge). The incremental base models
    (macros/staging/incremental_base.sql) use it too. -#}
{% macro crm_fact_materialization() -%}
    {{ return(adapter.dispatch('crm_fact_materialization', 'crm_kpi')()) }}
{%- endmacro %}
{% macro default__crm_fact_materialization() -%}
    {{ return('table') }}
{%- endmacro %}
{% macro duckdb__crm_fact_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{#- the earliest change an incremental run re-derives (a scalar subquery on this model) -#}
{#- stop with a clear message when this incremental model's table lacks a column its
    incremental run needs: it was built before the model became incremental -#}
{% macro crm_require_incremental_column(column) -%}
    {%- if execute and column not in (adapter.get_columns_in_relation(this) | map(attribute='name') | list) -%}
        {{ exceptions.raise_compiler_error(
            this ~ " was built before it became incremental (it has no column " ~ column
            ~ "): rebuild it once with `dbt build --full-refresh --select " ~ this.identifier ~ "`") }}
    {%- endif -%}
{%- endmacro %}

{% macro crm_incremental_cutoff(change_column) -%}
    {%- do crm_require_incremental_column(change_column) %}
    (
        select {{ dbt.dateadd('day', '-' ~ (var('incremental_lookback_days') | int), 'max(' ~ change_column ~ ')') }}
        from {{ this }}
    )
{%- endmacro %}

{#- customers changed at or after the cutoff: their facts carry the customer's attributes -#}
{% macro crm_changed_customers(change_column) -%}
    (
        select changed_customers.customer_id
        from {{ ref('stg_crm__customers') }} as changed_customers
        where changed_customers.updated_at >= {{ crm_incremental_cutoff(change_column) }}
    )
{%- endmacro %}
