{#-
    Time helpers. Every engine-specific expression is dispatched (`default__` is the DuckDB SQL),
    so another engine only has to bring its own `<adapter>__<name>` version.
-#}

{#- seconds since 1970-01-01 of a naive timestamp (or a date), as a double with fractions -#}
{% macro epoch_seconds(expr) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'crm_kpi')(expr)) }}
{%- endmacro %}
{% macro default__epoch_seconds(expr) -%}
    epoch({{ expr }})
{%- endmacro %}

{#- fractional hours from start to end: (epoch(end) - epoch(start)) / 3600.0, a double -#}
{% macro hours_between(start_expr, end_expr) -%}
    cast(({{ epoch_seconds(end_expr) }} - {{ epoch_seconds(start_expr) }}) / 3600.0 as double)
{%- endmacro %}

{#- fractional days from start to end: (epoch(end) - epoch(start)) / 86400.0, a double -#}
{% macro days_between(start_expr, end_expr) -%}
    cast(({{ epoch_seconds(end_expr) }} - {{ epoch_seconds(start_expr) }}) / 86400.0 as double)
{%- endmacro %}

{#- the naive local time in `crm_timezone` of a naive UTC timestamp -#}
{% macro utc_to_local(expr) -%}
    {{ return(adapter.dispatch('utc_to_local', 'crm_kpi')(expr)) }}
{%- endmacro %}
{% macro default__utc_to_local(expr) -%}
    timezone('{{ var("crm_timezone") }}', timezone('UTC', {{ expr }}))
{%- endmacro %}

{#- the naive UTC timestamp of a naive local time in `crm_timezone` (DST-correct) -#}
{% macro local_to_utc(expr) -%}
    {{ return(adapter.dispatch('local_to_utc', 'crm_kpi')(expr)) }}
{%- endmacro %}
{% macro default__local_to_utc(expr) -%}
    timezone('UTC', timezone('{{ var("crm_timezone") }}', {{ expr }}))
{%- endmacro %}

{#- the calendar date in `crm_timezone` of a naive UTC timestamp -#}
{% macro local_date_of(expr) -%}
    cast({{ utc_to_local(expr) }} as date)
{%- endmacro %}

{#- ISO day of the week of a date: Monday = 1 ... Sunday = 7 -#}
{% macro iso_day_of_week(expr) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'crm_kpi')(expr)) }}
{%- endmacro %}
{% macro default__iso_day_of_week(expr) -%}
    cast(isodow({{ expr }}) as integer)
{%- endmacro %}

{#- minutes after midnight of an 'HH:MM' setting such as business_hours_start (compile time) -#}
{% macro clock_minutes(hh_mm) -%}
    {%- set parts = (hh_mm | string).strip().split(':') -%}
    {%- if parts | length < 2 -%}
        {{ exceptions.raise_compiler_error("Expected a time 'HH:MM', got '" ~ hh_mm ~ "'") }}
    {%- endif -%}
    {{- (parts[0] | int) * 60 + (parts[1] | int) -}}
{%- endmacro %}

{#- a typed timestamp far in the future, standing for "open-ended" inside window logic -#}
{% macro open_end_sentinel() -%}
    cast('2999-12-31 00:00:00' as {{ dbt.type_timestamp() }})
{%- endmacro %}
