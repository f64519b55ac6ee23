{#- Every raw row of the users extract, typed, with its quarantine reasons. -#}
with

source as (
    {{ crm_extract('users') }}
),

parsed as (
    {{ crm_parsed('users') }}
),

validated as (
    select
        parsed.*,
        {{ combine_reasons([
            '_contract_reasons',
            reason_if("licensed_to < licensed_from", 'licensed_to_before_licensed_from'),
        ]) }} as _row_reasons
    from parsed
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['user_id']) }} as _quarantine_reasons
from validated
