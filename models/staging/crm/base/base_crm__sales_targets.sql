{#- Every raw row of the sales_targets extract, typed, with its quarantine reasons. -#}
with

source as (
    {{ crm_extract('sales_targets') }}
),

parsed as (
    {{ crm_parsed('sales_targets') }}
),

with_rate as (
    select
        parsed.*,
        {{ exchange_rate('parsed.currency') }} as _exchange_rate
    from parsed
    {{ join_exchange_rate('parsed.currency', 'parsed.period_start') }}
),

validated as (
    select
        with_rate.*,
        {{ to_reporting_currency('target_amount_original') }} as target_amount,
        {{ combine_reasons([
            '_contract_reasons',
            reason_if("period_start <> date_trunc('month', period_start)", 'out_of_range:period_start'),
            reason_if("target_amount_original is not null and period_start is not null and _exchange_rate is null", 'no_exchange_rate:target_amount'),
        ]) }} as _row_reasons
    from with_rate
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['user_id', 'period_start']) }} as _quarantine_reasons
from validated
