{#-
    Reporting-calendar helpers, fiscal-aware (var fiscal_year_start_month, 1 = calendar year).
    int_periods is built with these same macros, and tests/int_period_start_of_matches_periods.sql
    checks that they agree.

    Fiscal conventions:
      * a fiscal quarter/year starts on the first day of its first month;
      * a fiscal year is named by the calendar year in which it ENDS: with fiscal_year_start_month = 4,
        2024-04-01 .. 2025-03-31 is FY2025 (and its first quarter FY2025-Q1); with 1, FY = calendar year.
-#}

{%- macro fiscal_year_start_month() -%}
    {%- set month = var('fiscal_year_start_month', 1) | int -%}
    {%- if month < 1 or month > 12 -%}
        {{ exceptions.raise_compiler_error("fiscal_year_start_month must be 1..12, got " ~ month) }}
    {%- endif -%}
    {{- month -}}
{%- endmacro -%}

{#- calendar month number (1..12) of a date or timestamp -#}
{% macro month_of(expr) -%}
    cast(extract(month from {{ expr }}) as integer)
{%- endmacro %}

{#- calendar year of a date or timestamp -#}
{% macro year_of(expr) -%}
    cast(extract(year from {{ expr }}) as integer)
{%- endmacro %}

{#- months since the start of the fiscal year (0..11) of a date or timestamp -#}
{% macro fiscal_month_offset(expr) -%}
    (({{ month_of(expr) }} - {{ fiscal_year_start_month() }} + 12) % 12)
{%- endmacro %}

{#-
    The period_start (date) of the `grain` period containing a date or timestamp:
      month: the first day of its month;
      quarter / year: the first day of its month shifted back by
        (month - fiscal_year_start_month) mod 3 / mod 12 months.
-#}
{% macro period_start_of(expr, grain) -%}
    {%- set month_start = dbt.date_trunc('month', expr) -%}
    {%- if grain == 'month' -%}
        cast({{ month_start }} as date)
    {%- elif grain == 'quarter' -%}
        cast({{ dbt.dateadd('month', '-(' ~ fiscal_month_offset(expr) ~ ' % 3)', month_start) }} as date)
    {%- elif grain == 'year' -%}
        cast({{ dbt.dateadd('month', '-' ~ fiscal_month_offset(expr), month_start) }} as date)
    {%- else -%}
        {{ exceptions.raise_compiler_error("period_start_of: grain must be month, quarter or year, got " ~ grain) }}
    {%- endif -%}
{%- endmacro %}

{#- number of calendar months in a period of `grain` -#}
{% macro months_in_grain(grain) -%}
    {%- set months = {'month': 1, 'quarter': 3, 'year': 12} -%}
    {%- if grain not in months -%}
        {{ exceptions.raise_compiler_error("months_in_grain: unknown grain " ~ grain) }}
    {%- endif -%}
    {{- months[grain] -}}
{%- endmacro %}

{#- the exclusive end (date) of the `grain` period starting on period_start_expr -#}
{% macro period_end_of(period_start_expr, grain) -%}
    cast({{ dbt.dateadd('month', months_in_grain(grain), period_start_expr) }} as date)
{%- endmacro %}

{#- the fiscal year (named by the calendar year in which it ends) of a date or timestamp -#}
{% macro fiscal_year_of(expr) -%}
    {%- set ends_next_year = 0 if fiscal_year_start_month() | int == 1 else 1 -%}
    ({{ year_of(period_start_of(expr, 'year')) }} + {{ ends_next_year }})
{%- endmacro %}

{#- fiscal quarter number (1..4) of a date or timestamp -#}
{% macro fiscal_quarter_of(expr) -%}
    (cast(floor({{ fiscal_month_offset(expr) }} / 3) as integer) + 1)
{%- endmacro %}

{#- label of a period: 2024-03, FY2024-Q2, FY2024 -#}
{% macro period_label(period_start_expr, grain) -%}
    {%- set text = dbt.type_string() -%}
    {%- if grain == 'month' -%}
        {{ dbt.concat([
            "cast(" ~ year_of(period_start_expr) ~ " as " ~ text ~ ")",
            "'-'",
            "lpad(cast(" ~ month_of(period_start_expr) ~ " as " ~ text ~ "), 2, '0')",
        ]) }}
    {%- elif grain == 'quarter' -%}
        {{ dbt.concat([
            "'FY'",
            "cast(" ~ fiscal_year_of(period_start_expr) ~ " as " ~ text ~ ")",
            "'-Q'",
            "cast(" ~ fiscal_quarter_of(period_start_expr) ~ " as " ~ text ~ ")",
        ]) }}
    {%- elif grain == 'year' -%}
        {{ dbt.concat(["'FY'", "cast(" ~ fiscal_year_of(period_start_expr) ~ " as " ~ text ~ ")"]) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("period_label: unknown grain " ~ grain) }}
    {%- endif -%}
{%- endmacro %}

{#-
    `select` of one row per day or month from <bounds>.<first_column> to <bounds>.<last_column>,
    both included, as the date column <column_name> (and the step 1, 2, ... as <step_column>
    when given). <bounds> is a one-row relation (a CTE) in the calling model. Built with dbt's
    portable generate_series of max_steps numbers, so the calendar follows the data and never
    reads the wall clock; the default covers the 200 years of timestamps staging accepts.
-#}
{% macro calendar_spine(datepart, bounds, first_column, last_column, column_name, step_column=none, max_steps=none) -%}
    {%- if datepart not in ('day', 'month') -%}
        {{ exceptions.raise_compiler_error("calendar_spine: datepart must be 'day' or 'month', not '" ~ datepart ~ "'") }}
    {%- endif -%}
    {%- set steps = max_steps or (80000 if datepart == 'day' else 2400) -%}
    {%- set spine_date = dbt.dateadd(datepart, 'spine_steps.generated_number - 1', bounds ~ '.' ~ first_column) -%}
    select
        cast({{ spine_date }} as date) as {{ column_name }}
        {%- if step_column %},
        cast(spine_steps.generated_number as integer) as {{ step_column }}
        {%- endif %}
    from {{ bounds }}
    cross join ({{ dbt.generate_series(steps) }}) as spine_steps
    where {{ spine_date }} <= {{ bounds }}.{{ last_column }}
{%- endmacro %}
