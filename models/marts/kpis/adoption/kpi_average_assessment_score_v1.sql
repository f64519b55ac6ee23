{#- average_assessment_score v1: mean assessment_score of the trainings completed in the period. -#}
with

trainings as (
    select * from {{ ref('fct_trainings') }}
),

scored_trainings as (
    select
        completed_at as event_at,
        assessment_score as measure,
        team
    from trainings
    where is_completed and assessment_score is not null
),

{{ kpi_rollup(
    'scored_trainings', 'average_assessment_score', 1, 'mean',
    breakdowns=['team'], requires=['trainings.assessment_score']
) }}
