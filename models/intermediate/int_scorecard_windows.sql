{#-
    The comparison windows of the before/after go-live scorecard, as extra reporting periods
    (period_grain `window_*`) that every KPI is computed over with the same rules as a month or a
    quarter (sums of numerators and denominators, medians of the rows, stocks at the window's end):
      window_before_go_live  the baseline_months before crm_go_live_date
      window_after_go_live   the baseline_months after it
      window_latest          the latest baseline_months complete months
      window_target_<id>     the baseline_months ending at each target's deadline
                             (go-live + within_months), so a target compares equal lengths
    Windows that start after as_of do not exist; a window reaching past as_of is incomplete.
-#}
with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

targets as (
    select * from {{ ref('kpi_targets') }}
),

fixed_windows as (
    select
        'window_before_go_live' as period_grain,
        cast({{ dbt.dateadd('month', '-1 * settings.baseline_months', 'settings.go_live_date') }} as date)
            as period_start,
        settings.go_live_date as period_end,
        'before go-live' as period_label
    from settings
    union all
    select
        'window_after_go_live' as period_grain,
        settings.go_live_date as period_start,
        cast({{ dbt.dateadd('month', 'settings.baseline_months', 'settings.go_live_date') }} as date)
            as period_end,
        'after go-live' as period_label
    from settings
    union all
    select
        'window_latest' as period_grain,
        cast(
            {{ dbt.dateadd('month', '-1 * settings.baseline_months', period_start_of('settings.as_of_at', 'month')) }}
            as date
        ) as period_start,
        {{ period_start_of('settings.as_of_at', 'month') }} as period_end,
        'latest complete months' as period_label
    from settings
),

target_windows as (
    select
        'window_target_' || targets.target_id as period_grain,
        cast(
            {{ dbt.dateadd(
                'month',
                'targets.within_months - settings.baseline_months',
                'settings.go_live_date'
            ) }} as date
        ) as period_start,
        cast({{ dbt.dateadd('month', 'targets.within_months', 'settings.go_live_date') }} as date) as period_end,
        'target: ' || targets.target_id as period_label
    from targets
    cross join settings
),

windows as (
    select * from fixed_windows
    union all
    select * from target_windows
)

select
    windows.period_grain,
    windows.period_start,
    windows.period_end,
    windows.period_label
from windows
cross join settings
where windows.period_start <= settings.as_of_date
