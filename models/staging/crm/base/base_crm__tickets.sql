{#- Every raw row of the tickets extract, typed, with its quarantine reasons. -#}
with

source as (
    {{ crm_extract('tickets') }}
),

parsed as (
    {{ crm_parsed('tickets') }}
),

validated as (
    select
        parsed.*,
        {{ combine_reasons([
            '_contract_reasons',
            reason_if("first_response_at < created_at", 'first_response_at_before_created_at'),
            reason_if("resolved_at < created_at", 'resolved_at_before_created_at'),
        ]) }} as _row_reasons
    from parsed
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['ticket_id'], 'updated_at') }} as _quarantine_reasons
from validated
