{#- Every raw row of the subscriptions extract, typed, with its quarantine reasons.
    Incremental on DuckDB: only the raw rows of changed keys are re-derived
    (macros/staging/incremental_base.sql). -#}

{{ config(
    materialized=crm_fact_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ crm_base_replace_touched('subscriptions') }}"
) }}
with

source as (
    {{ crm_extract_changes('subscriptions') }}
),

parsed as (
    {{ crm_parsed('subscriptions', extra_columns=['_row_hash']) }}
),

with_rate as (
    select
        parsed.*,
        {{ exchange_rate('parsed.currency') }} as _exchange_rate
    from parsed
    {{ join_exchange_rate('parsed.currency', 'parsed.started_at') }}
),

validated as (
    select
        with_rate.*,
        {{ to_reporting_currency('annual_value_original') }} as annual_value,
        {{ combine_reasons([
            '_contract_reasons',
            reason_if("ended_at < started_at", 'ended_at_before_started_at'),
            reason_if("annual_value_original is not null and started_at is not null and _exchange_rate is null", 'no_exchange_rate:annual_value'),
        ]) }} as _row_reasons
    from with_rate
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['subscription_id']) }} as _quarantine_reasons
from validated
