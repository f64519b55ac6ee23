{#- Every raw row of the trainings extract, typed, with its quarantine reasons. -#}
with

source as (
    {{ crm_extract('trainings') }}
),

parsed as (
    {{ crm_parsed('trainings') }}
),

validated as (
    select
        parsed.*,
        {{ combine_reasons([
            '_contract_reasons',
            reason_if("assessment_score < 0 or assessment_score > 100", 'out_of_range:assessment_score'),
        ]) }} as _row_reasons
    from parsed
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['user_id', 'course']) }} as _quarantine_reasons
from validated
