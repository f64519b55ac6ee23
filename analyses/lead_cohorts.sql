-- Lead cohorts: what became of the leads created in each month.
--
-- One row per creation month (the cohort) and acquisition channel: how many leads came in,
-- how many were contacted and how fast (median response hours), how many qualified, how many
-- converted to a customer within lead_conversion_window_days, and how many were lost.
-- Conversion rates are only final for cohorts whose conversion window has closed
-- (is_window_closed); the last cohorts are still maturing. Straight from fct_leads.

select
    cast(date_trunc('month', created_at) as date) as cohort_month,
    coalesce(acquisition_channel, source_channel) as channel,
    count(*) as leads,
    count(*) filter (where is_contacted) as contacted_leads,
    median(response_hours) as median_response_hours,
    count(*) filter (where is_qualified) as qualified_leads,
    count(*) filter (where is_converted_within_window) as converted_within_window,
    count(*) filter (where is_lost_lead) as lost_leads,
    bool_and(is_window_closed) as is_cohort_final,
    count(*) filter (where is_converted_within_window) / count(*) as conversion_rate
from {{ ref('fct_leads') }}
group by cohort_month, channel
order by cohort_month, channel
