{#- Every raw row of the opportunities extract, typed, with its quarantine reasons.
    Incremental on DuckDB: only the raw rows of changed keys are re-derived
    (macros/staging/incremental_base.sql). -#}

{{ config(
    materialized=crm_fact_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ crm_base_replace_touched('opportunities') }}"
) }}
with

source as (
    {{ crm_extract_changes('opportunities') }}
),

parsed as (
    {{ crm_parsed('opportunities', extra_columns=['_row_hash']) }}
),

with_rate as (
    select
        parsed.*,
        {{ exchange_rate('parsed.currency') }} as _exchange_rate
    from parsed
    {{ join_exchange_rate('parsed.currency', 'coalesce(parsed.closed_at, parsed.created_at)') }}
),

validated as (
    select
        with_rate.*,
        {{ to_reporting_currency('amount_original') }} as amount,
        {{ combine_reasons([
            '_contract_reasons',
            reason_if("closed_at < created_at", 'closed_at_before_created_at'),
            reason_if("stage in ('closed_won', 'closed_lost') and closed_at is null", 'missing:closed_at'),
            reason_if("amount_original is not null and created_at is not null and _exchange_rate is null", 'no_exchange_rate:amount'),
        ]) }} as _row_reasons
    from with_rate
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['opportunity_id'], 'updated_at') }} as _quarantine_reasons
from validated
