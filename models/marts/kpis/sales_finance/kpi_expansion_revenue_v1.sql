{#- expansion_revenue v1: Σ amount of closed_won opportunities of type upsell or cross_sell closed in the period. -#}
with

opportunities as (
    select * from {{ ref('fct_opportunities') }}
),

won_expansion as (
    select
        closed_at as event_at,
        amount as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from opportunities
    where is_won and opportunity_type in ('upsell', 'cross_sell')
),

{{ kpi_rollup(
    'won_expansion', 'expansion_revenue', 1, 'sum',
    breakdowns=kpi_owner_breakdowns()
) }}
