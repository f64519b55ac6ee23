{#- Every raw row of the usage_events extract, typed, with its quarantine reasons. -#}
with

source as (
    {{ crm_extract('usage_events') }}
),

parsed as (
    {{ crm_parsed('usage_events') }}
),

validated as (
    select
        parsed.*,
        _contract_reasons as _row_reasons
    from parsed
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['event_id']) }} as _quarantine_reasons
from validated
