{#- Every raw row of the customers extract, typed, with its quarantine reasons.
    Incremental on DuckDB: only the raw rows of changed keys are re-derived
    (macros/staging/incremental_base.sql). -#}

{{ config(
    materialized=crm_fact_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ crm_base_replace_touched('customers') }}"
) }}
with

source as (
    {{ crm_extract_changes('customers') }}
),

parsed as (
    {{ crm_parsed('customers', extra_columns=['_row_hash']) }}
),

validated as (
    select
        parsed.*,
        _contract_reasons as _row_reasons
    from parsed
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['customer_id'], 'updated_at') }} as _quarantine_reasons
from validated
