{#- Every raw row of the activities extract, typed, with its quarantine reasons. -#}
with

source as (
    {{ crm_extract('activities') }}
),

parsed as (
    {{ crm_parsed('activities') }}
),

validated as (
    select
        parsed.*,
        {{ combine_reasons([
            '_contract_reasons',
            reason_if("occurred_at is null and activity_type not in ('task', 'follow_up')", 'missing:occurred_at'),
        ]) }} as _row_reasons
    from parsed
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['activity_id']) }} as _quarantine_reasons
from validated
