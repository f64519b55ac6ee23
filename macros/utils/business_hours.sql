{#-
    Business time between two UTC instants a <= b is F(b) - F(a), where F(t) counts the business
    seconds from the start of int_business_calendar up to t:
        F(t) = cumulative_business_seconds of the local date of t
             + clamp(t - open_at_utc of that date, 0, business_seconds of that date).
    Usage: join int_business_calendar as `calendar_alias` on
    `calendar_alias.local_date = {{ local_date_of(ts) }}`, then `business_seconds_at(ts, calendar_alias)`.
-#}
{% macro business_seconds_at(ts_expr, calendar_alias) -%}
    (
        {{ calendar_alias }}.cumulative_business_seconds
        + least(
            greatest(
                coalesce({{ epoch_seconds(ts_expr) }} - {{ epoch_seconds(calendar_alias ~ '.open_at_utc') }}, 0),
                0
            ),
            {{ calendar_alias }}.business_seconds
        )
    )
{%- endmacro %}

{#- business hours between two UTC instants, each with its own joined calendar row -#}
{% macro business_hours_between(start_expr, start_calendar_alias, end_expr, end_calendar_alias) -%}
    cast(
        (
            {{ business_seconds_at(end_expr, end_calendar_alias) }}
            - {{ business_seconds_at(start_expr, start_calendar_alias) }}
        ) / 3600.0 as double
    )
{%- endmacro %}
