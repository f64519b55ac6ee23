{#- quota_attainment v1: Σ won amount / Σ target_amount. Denominator: monthly targets (fct_sales_targets, at the
    month's first day); numerator: closed_won opportunities (at closed_at) of a user in a month in which that user
    has a target (one target per user and month: no fan-out). Needs sales_targets. -#}
with

targets as (
    select * from {{ ref('fct_sales_targets') }}
),

opportunities as (
    select * from {{ ref('fct_opportunities') }}
),

quota_rows as (
    select
        cast(period_start as {{ dbt.type_timestamp() }}) as event_at,
        0 as numerator,
        target_amount as denominator,
        user_id,
        team
    from targets
    union all
    select
        opportunities.closed_at as event_at,
        opportunities.amount as numerator,
        0 as denominator,
        opportunities.user_id,
        opportunities.team
    from opportunities
    inner join targets
        on
            opportunities.user_id = targets.user_id
            and {{ period_start_of('opportunities.closed_at', 'month') }} = targets.period_start
    where opportunities.is_won
),

{{ kpi_rollup(
    'quota_rows', 'quota_attainment', 1, 'ratio',
    breakdowns=['user_id', 'team'], requires=['sales_targets']
) }}
