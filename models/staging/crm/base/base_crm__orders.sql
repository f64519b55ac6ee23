{#- Every raw row of the orders extract, typed, with its quarantine reasons.
    Incremental on DuckDB: only the raw rows of changed keys are re-derived
    (macros/staging/incremental_base.sql). -#}

{{ config(
    materialized=crm_fact_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ crm_base_replace_touched('orders') }}"
) }}
with

source as (
    {{ crm_extract_changes('orders') }}
),

parsed as (
    {{ crm_parsed('orders', extra_columns=['_row_hash']) }}
),

with_rate as (
    select
        parsed.*,
        {{ exchange_rate('parsed.currency') }} as _exchange_rate
    from parsed
    {{ join_exchange_rate('parsed.currency', 'parsed.ordered_at') }}
),

validated as (
    select
        with_rate.*,
        {{ to_reporting_currency('amount_original') }} as amount,
        {{ to_reporting_currency('cost_amount_original') }} as cost_amount,
        {{ combine_reasons([
            '_contract_reasons',
            reason_if("fulfilled_at < ordered_at", 'fulfilled_at_before_ordered_at'),
            reason_if("amount_original is not null and ordered_at is not null and _exchange_rate is null", 'no_exchange_rate:amount'),
        ]) }} as _row_reasons
    from with_rate
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['order_id'], 'updated_at') }} as _quarantine_reasons
from validated
