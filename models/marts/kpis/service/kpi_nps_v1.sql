{#- nps v1: 100 × (promoters (9–10) − detractors (0–6)) / nps responses in the period. -#}
with

survey_responses as (
    select * from {{ ref('fct_survey_responses') }}
),

nps_responses as (
    select
        responded_at as event_at,
        case when is_promoter then 1 when is_detractor then -1 else 0 end as numerator,
        1 as denominator,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from survey_responses
    where survey_type = 'nps'
),

{{ kpi_rollup(
    'nps_responses', 'nps', 1, 'ratio',
    breakdowns=kpi_owner_breakdowns(),
    requires=['survey_responses.nps'],
    scale=100
) }}
