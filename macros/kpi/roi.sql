{#-
    Helpers of the return-on-investment KPIs.

    crm_gain_basis()
        What crm_incremental_gain and crm_payback_months measure the gain on: var `roi_gain_basis`,
        `revenue` (default) or `gross_profit` (kpis.md). Any other value stops the build with a message.
        The column of int_crm_monthly_gain to read is `cumulative_<basis>_gain`.

    crm_gain_requires()
        The data requirements that follow from the basis: a gain on gross profit needs cost data
        (`orders.cost_amount`); without it the KPI is reported unavailable rather than as a gain of 0.
-#}
{% macro crm_gain_basis() -%}
    {%- set basis = var('roi_gain_basis', 'revenue') | string | trim | lower -%}
    {%- if basis not in ('revenue', 'gross_profit') -%}
        {{ exceptions.raise_compiler_error(
            "var roi_gain_basis must be 'revenue' or 'gross_profit', got '" ~ var('roi_gain_basis') ~ "'"
        ) }}
    {%- endif -%}
    {{ return(basis) }}
{%- endmacro %}

{% macro crm_gain_requires() -%}
    {{ return(['orders.cost_amount'] if crm_gain_basis() == 'gross_profit' else []) }}
{%- endmacro %}

{#-
    crm_gain_to_date_at(instant_expr, monthly_gain_alias)
        Join condition picking the row of int_crm_monthly_gain whose cumulative gain is the gain to date
        at an instant: the latest month complete by then (month_end <= instant < next_month_end). An
        instant before the end of the first month after go-live matches no row (the gain is 0).
-#}
{% macro crm_gain_to_date_at(instant_expr, monthly_gain_alias) -%}
    (
        {{ monthly_gain_alias }}.month_end <= {{ instant_expr }}
        and {{ instant_expr }} < {{ monthly_gain_alias }}.next_month_end
    )
{%- endmacro %}
