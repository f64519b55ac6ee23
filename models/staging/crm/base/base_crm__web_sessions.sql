{#- Every raw row of the web_sessions extract, typed, with its quarantine reasons. -#}
with

source as (
    {{ crm_extract('web_sessions') }}
),

parsed as (
    {{ crm_parsed('web_sessions') }}
),

validated as (
    select
        parsed.*,
        _contract_reasons as _row_reasons
    from parsed
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['session_id']) }} as _quarantine_reasons
from validated
