{#- win_rate v1: closed_won / (closed_won + closed_lost) among opportunities closed in the period (count-based). -#}
with

opportunities as (
    select * from {{ ref('fct_opportunities') }}
),

closed_opportunities as (
    select
        closed_at as event_at,
        case when is_won then 1 else 0 end as numerator,
        1 as denominator,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from opportunities
    where is_closed
),

{{ kpi_rollup(
    'closed_opportunities', 'win_rate', 1, 'ratio',
    breakdowns=kpi_owner_breakdowns()
) }}
