{#- Every raw row of the leads extract, typed, with its quarantine reasons.
    Incremental on DuckDB: only the raw rows of changed keys are re-derived
    (macros/staging/incremental_base.sql). -#}

{{ config(
    materialized=crm_fact_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ crm_base_replace_touched('leads') }}"
) }}
with

source as (
    {{ crm_extract_changes('leads') }}
),

parsed as (
    {{ crm_parsed('leads', extra_columns=['_row_hash']) }}
),

validated as (
    select
        parsed.*,
        estimated_value_original as estimated_value,
        {{ combine_reasons([
            '_contract_reasons',
            reason_if("first_contacted_at < created_at", 'first_contacted_at_before_created_at'),
            reason_if("qualified_at < created_at", 'qualified_at_before_created_at'),
            reason_if("converted_at < created_at", 'converted_at_before_created_at'),
        ]) }} as _row_reasons
    from parsed
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['lead_id'], 'updated_at') }} as _quarantine_reasons
from validated
