-- Churn by customer segment, quarter by quarter, before and after go-live.
--
-- The churn_rate KPI (customers active at the start of the quarter and not at its end /
-- customers active at the start) broken down by segment, with its numerator (churned) and
-- denominator (active at the start), and the overall rate of the same quarter beside it.
-- A segment whose rate stays above the overall one after go-live is where to look first.

with

churn as (
    select
        period_start,
        breakdown,
        breakdown_value,
        value,
        numerator,
        denominator,
        is_period_complete
    from {{ ref('kpi_values') }}
    where
        kpi_id = 'churn_rate'
        and is_latest_version
        and period_grain = 'quarter'
        and breakdown in ('overall', 'segment')
)

select
    by_segment.period_start as quarter_start,
    by_segment.breakdown_value as segment,
    by_segment.value as churn_rate,
    by_segment.numerator as churned_customers,
    by_segment.denominator as active_at_start,
    overall.value as overall_churn_rate,
    by_segment.is_period_complete,
    by_segment.period_start >= cast('{{ var("crm_go_live_date") }}' as date) as is_after_go_live
from churn as by_segment
left join churn as overall
    on
        by_segment.period_start = overall.period_start
        and overall.breakdown = 'overall'
where by_segment.breakdown = 'segment'
order by quarter_start, segment
