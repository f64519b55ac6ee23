{#- Every raw row of the activities extract, typed, with its quarantine reasons.
    Incremental on DuckDB: only the raw rows of changed keys are re-derived
    (macros/staging/incremental_base.sql). -#}

{{ config(
    materialized=crm_fact_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ crm_base_replace_touched('activities') }}"
) }}
with

source as (
    {{ crm_extract_changes('activities') }}
),

parsed as (
    {{ crm_parsed('activities', extra_columns=['_row_hash']) }}
),

validated as (
    select
        parsed.*,
        {{ combine_reasons([
            '_contract_reasons',
            reason_if("occurred_at is null and activity_type not in ('task', 'follow_up')", 'missing:occurred_at'),
        ]) }} as _row_reasons
    from parsed
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['activity_id']) }} as _quarantine_reasons
from validated
