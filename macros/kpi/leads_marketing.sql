{#-
    Helpers of the leads and marketing KPIs.

    kpi_lead_breakdowns(with_campaign=true)
        The breakdowns of a KPI about leads (docs/kpi_design.md, "Leads and marketing"): the lead
        owner (`user_id`) and that user's `team`, `acquisition_channel` (fct_leads carries the lead's
        source_channel under that name) and, for the funnel-volume KPIs, `campaign_id`.
-#}
{% macro kpi_lead_breakdowns(with_campaign=true) -%}
    {%- set columns = ['user_id', 'team', 'acquisition_channel'] -%}
    {%- if with_campaign -%}
        {%- do columns.append('campaign_id') -%}
    {%- endif -%}
    {{ return(columns) }}
{%- endmacro %}
