{#- Every raw row of the web_sessions extract, typed, with its quarantine reasons.
    Incremental on DuckDB: only the raw rows of changed keys are re-derived
    (macros/staging/incremental_base.sql). -#}

{{ config(
    materialized=crm_fact_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ crm_base_replace_touched('web_sessions') }}"
) }}
with

source as (
    {{ crm_extract_changes('web_sessions') }}
),

parsed as (
    {{ crm_parsed('web_sessions', extra_columns=['_row_hash']) }}
),

validated as (
    select
        parsed.*,
        _contract_reasons as _row_reasons
    from parsed
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['session_id']) }} as _quarantine_reasons
from validated
