{#- Every raw row of the orders extract, typed, with its quarantine reasons. -#}
with

source as (
    {{ crm_extract('orders') }}
),

parsed as (
    {{ crm_parsed('orders') }}
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
