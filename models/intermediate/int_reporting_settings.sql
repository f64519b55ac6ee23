{#-
    The settings every model shares, as one row, computed once.
    as_of_at is the "now" of every calculation (nothing reads the wall clock):
      * var as_of_date set (a date): the END of that day, i.e. the instant as_of_date + 1 day
        (next midnight). Comparisons are `<= as_of_at`, the same convention as kpis.md's
        "at the end of the period = the instant the next period starts";
      * var unset: the latest timestamp among the staged facts.
    as_of_date is the last day included: the var's date, or the date of as_of_at.
-#}
{%- set as_of_var = var('as_of_date', none) -%}
{%- set baseline_months = var('baseline_months') | int -%}

with

orders as (
    select * from {{ ref('stg_crm__orders') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

activities as (
    select * from {{ ref('stg_crm__activities') }}
),

usage_events as (
    select * from {{ ref('stg_crm__usage_events') }}
),

survey_responses as (
    select * from {{ ref('stg_crm__survey_responses') }}
),

web_sessions as (
    select * from {{ ref('stg_crm__web_sessions') }}
),

subscriptions as (
    select * from {{ ref('stg_crm__subscriptions') }}
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

-- the latest timestamp of every fact: the default "now"
latest_timestamps as (
    select max(ordered_at) as latest_at from orders
    union all
    select max(created_at) as latest_at from opportunities
    union all
    select max(closed_at) as latest_at from opportunities
    union all
    select max(created_at) as latest_at from leads
    union all
    select max(created_at) as latest_at from tickets
    union all
    select max(first_response_at) as latest_at from tickets
    union all
    select max(resolved_at) as latest_at from tickets
    union all
    select max(occurred_at) as latest_at from activities
    union all
    select max(occurred_at) as latest_at from usage_events
    union all
    select max(responded_at) as latest_at from survey_responses
    union all
    select max(started_at) as latest_at from web_sessions
    union all
    select max(started_at) as latest_at from subscriptions
    union all
    select max(created_at) as latest_at from customers
),

-- the earliest business fact: the reporting calendar starts in its month
earliest_timestamps as (
    select min(ordered_at) as earliest_at from orders
    union all
    select min(created_at) as earliest_at from leads
    union all
    select min(created_at) as earliest_at from opportunities
    union all
    select min(created_at) as earliest_at from tickets
    union all
    select min(occurred_at) as earliest_at from usage_events
    union all
    select min(occurred_at) as earliest_at from activities
    union all
    select min(created_at) as earliest_at from customers
),

bounds as (
    select
        (select max(latest_timestamps.latest_at) from latest_timestamps) as latest_fact_at,
        (select min(earliest_timestamps.earliest_at) from earliest_timestamps) as earliest_fact_at
),

as_of as (
    select
        {%- if as_of_var %}
        cast({{ dbt.dateadd('day', 1, "cast('" ~ as_of_var ~ "' as date)") }} as {{ dbt.type_timestamp() }})
            as as_of_at,
        cast('{{ as_of_var }}' as date) as as_of_date,
        {%- else %}
        bounds.latest_fact_at as as_of_at,
        cast(bounds.latest_fact_at as date) as as_of_date,
        {%- endif %}
        bounds.earliest_fact_at
    from bounds
),

settings as (
    select
        -- the "now"
        as_of.as_of_at,
        as_of.as_of_date,
        -- go-live and the before / after windows
        cast('{{ var("crm_go_live_date") }}' as date) as go_live_date,
        cast({{ baseline_months }} as integer) as baseline_months,
        cast(
            {{ dbt.dateadd('month', -baseline_months, "cast('" ~ var('crm_go_live_date') ~ "' as date)") }}
            as date
        ) as baseline_start_date,
        cast(
            {{ dbt.dateadd('month', baseline_months, "cast('" ~ var('crm_go_live_date') ~ "' as date)") }}
            as date
        ) as after_end_date,
        -- reporting calendar
        cast({{ dbt.date_trunc('month', 'as_of.earliest_fact_at') }} as date) as calendar_start_date,
        cast({{ fiscal_year_start_month() }} as integer) as fiscal_year_start_month,
        -- money
        '{{ var("reporting_currency") }}' as reporting_currency
    from as_of
)

select * from settings
