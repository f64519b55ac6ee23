{#- Every raw row of the survey_responses extract, typed, with its quarantine reasons.
    Incremental on DuckDB: only the raw rows of changed keys are re-derived
    (macros/staging/incremental_base.sql). -#}

{{ config(
    materialized=crm_fact_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ crm_base_replace_touched('survey_responses') }}"
) }}
with

source as (
    {{ crm_extract_changes('survey_responses') }}
),

parsed as (
    {{ crm_parsed('survey_responses', extra_columns=['_row_hash']) }}
),

validated as (
    select
        parsed.*,
        {{ combine_reasons([
            '_contract_reasons',
            reason_if("survey_type = 'nps' and (score < 0 or score > 10)", 'out_of_range:score'),
            reason_if("survey_type = 'csat' and (score < 1 or score > 5)", 'out_of_range:score'),
        ]) }} as _row_reasons
    from parsed
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['response_id']) }} as _quarantine_reasons
from validated
