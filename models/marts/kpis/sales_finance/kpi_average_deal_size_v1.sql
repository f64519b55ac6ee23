{#- average_deal_size v1: Σ amount / count of closed_won opportunities closed in the period (mean amount). -#}
with

opportunities as (
    select * from {{ ref('fct_opportunities') }}
),

won_opportunities as (
    select
        closed_at as event_at,
        amount as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from opportunities
    where is_won
),

{{ kpi_rollup(
    'won_opportunities', 'average_deal_size', 1, 'mean',
    breakdowns=kpi_owner_breakdowns()
) }}
