{#-
    lead_conversion_rate v2: among the leads created in the period whose conversion window has closed
    (created_at + lead_conversion_window_days <= as_of: fct_leads.is_window_closed), the share converted
    within the window (is_converted_within_window). Younger leads are left out, so a cohort none of whose
    windows has closed has a null rate instead of a falsely low one.
-#}
with

leads as (
    select * from {{ ref('fct_leads') }}
),

closed_lead_cohorts as (
    select
        created_at as event_at,
        case when is_converted_within_window then 1 else 0 end as numerator,
        1 as denominator,
        {{ kpi_lead_breakdowns() | join(',\n        ') }}
    from leads
    where is_window_closed
),

{{ kpi_rollup(
    'closed_lead_cohorts', 'lead_conversion_rate', 2, 'ratio',
    breakdowns=kpi_lead_breakdowns()
) }}
