-- Before / after go-live for one KPI (win rate; change `kpi` below for another one).
--
-- The month-by-month overall values of the KPI's latest version, each labelled with the
-- go-live window it falls in (baseline = the baseline_months before crm_go_live_date, after =
-- as many months after it, later = everything since), next to the scorecard's official
-- baseline and after values (which are computed over the whole window, not averaged months).
-- Start here to see whether a change in a KPI lines up with the go-live or came later.
{% set kpi = 'win_rate' %}

with

scorecard as (
    select
        kpi_id,
        baseline_start_date,
        go_live_date,
        after_end_date,
        baseline_value,
        after_value,
        change_after,
        target_status
    from {{ ref('kpi_scorecard') }}
    where kpi_id = '{{ kpi }}'
),

monthly as (
    select
        kpi_id,
        period_start,
        value,
        numerator,
        denominator,
        is_period_complete
    from {{ ref('kpi_values') }}
    where
        kpi_id = '{{ kpi }}'
        and is_latest_version
        and period_grain = 'month'
        and breakdown = 'overall'
)

select
    monthly.kpi_id,
    monthly.period_start,
    monthly.value,
    monthly.numerator,
    monthly.denominator,
    monthly.is_period_complete,
    scorecard.baseline_value,
    scorecard.after_value,
    scorecard.change_after,
    scorecard.target_status,
    case
        when monthly.period_start < scorecard.baseline_start_date then 'earlier'
        when monthly.period_start < scorecard.go_live_date then 'baseline'
        when monthly.period_start < scorecard.after_end_date then 'after'
        else 'later'
    end as go_live_window
from monthly
inner join scorecard on monthly.kpi_id = scorecard.kpi_id
order by monthly.period_start
