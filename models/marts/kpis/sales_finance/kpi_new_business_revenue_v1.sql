{#- new_business_revenue v1: Σ amount of closed_won opportunities of type new_business closed in the period. -#}
with

opportunities as (
    select * from {{ ref('fct_opportunities') }}
),

won_new_business as (
    select
        closed_at as event_at,
        amount as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from opportunities
    where is_won and opportunity_type = 'new_business'
),

{{ kpi_rollup(
    'won_new_business', 'new_business_revenue', 1, 'sum',
    breakdowns=kpi_owner_breakdowns()
) }}
