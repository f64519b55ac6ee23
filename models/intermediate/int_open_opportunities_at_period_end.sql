{#-
    The opportunities open at the end of each reporting period (and scorecard window): created
    before the end instant and not closed before it (macro opportunity_is_open_at). The end
    instant is int_periods.end_instant (period_end capped at as_of). One row per period and
    opportunity; read by open_pipeline_value and open_opportunities, so the range join runs once.
-#}
with

periods as (
    select * from {{ ref('int_periods') }}
),

opportunities as (
    select * from {{ ref('fct_opportunities') }}
)

select
    periods.period_grain,
    periods.period_start,
    opportunities.opportunity_id,
    opportunities.amount,
    opportunities.{{ kpi_owner_breakdowns() | join(',\n    opportunities.') }}
from periods
inner join opportunities
    on {{ opportunity_is_open_at('periods.end_instant', 'opportunities') }}
