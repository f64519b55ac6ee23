{#- csat v1: share of csat responses in the period scoring 4 or 5. -#}
with

survey_responses as (
    select * from {{ ref('fct_survey_responses') }}
),

csat_responses as (
    select
        responded_at as event_at,
        case when is_satisfied then 1 else 0 end as numerator,
        1 as denominator,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from survey_responses
    where survey_type = 'csat'
),

{{ kpi_rollup(
    'csat_responses', 'csat', 1, 'ratio',
    breakdowns=kpi_owner_breakdowns(),
    requires=['survey_responses.csat']
) }}
