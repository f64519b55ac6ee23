{#- Every raw row of the tickets extract, typed, with its quarantine reasons.
    Incremental on DuckDB: only the raw rows of changed keys are re-derived
    (macros/staging/incremental_base.sql). -#}

{{ config(
    materialized=crm_fact_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ crm_base_replace_touched('tickets') }}"
) }}
with

source as (
    {{ crm_extract_changes('tickets') }}
),

parsed as (
    {{ crm_parsed('tickets', extra_columns=['_row_hash']) }}
),

validated as (
    select
        parsed.*,
        {{ combine_reasons([
            '_contract_reasons',
            reason_if("first_response_at < created_at", 'first_response_at_before_created_at'),
            reason_if("resolved_at < created_at", 'resolved_at_before_created_at'),
        ]) }} as _row_reasons
    from parsed
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['ticket_id'], 'updated_at') }} as _quarantine_reasons
from validated
