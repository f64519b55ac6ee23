{#-
    Helpers of the sales and finance KPIs.

    kpi_shift_period(period_start, period_grain, periods)
        The period_start (date) of the period of the same grain `periods` periods later (negative:
        earlier): a month is 1 month, a (fiscal) quarter 3, a (fiscal) year 12. Used by growth KPIs
        to pair a period with the previous one of its grain. Only defined for month, quarter and year
        (null for any other grain: all_time and scorecard windows have no "previous period").
-#}
{% macro kpi_shift_period(period_start, period_grain, periods) -%}
    cast(
        {{ dbt.dateadd(
            'month',
            '(case ' ~ period_grain ~ " when 'month' then 1 when 'quarter' then 3 when 'year' then 12 end) * ("
                ~ periods ~ ')',
            period_start
        ) }}
        as date
    )
{%- endmacro %}
