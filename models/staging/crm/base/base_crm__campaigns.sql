{#- Every raw row of the campaigns extract, typed, with its quarantine reasons. -#}
with

source as (
    {{ crm_extract('campaigns') }}
),

parsed as (
    {{ crm_parsed('campaigns') }}
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
        {{ to_reporting_currency('cost_original') }} as cost,
        {{ combine_reasons([
            '_contract_reasons',
            reason_if("ended_at < started_at", 'ended_at_before_started_at'),
            reason_if("cost_original is not null and started_at is not null and _exchange_rate is null", 'no_exchange_rate:cost'),
        ]) }} as _row_reasons
    from with_rate
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['campaign_id']) }} as _quarantine_reasons
from validated
