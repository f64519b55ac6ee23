{#-
    The before/after go-live scorecard: one row per KPI (latest version, overall), with its value
    over the baseline_months before crm_go_live_date, over as many months after it and over the
    latest complete months, the relative changes, and the KPI's target (seeds/reference/
    kpi_targets.csv) with its status. The typical improvements that article 001 cites are shown
    beside, for comparison only.
-#}
with

window_values as (
    {{ kpi_union(windows=true, latest_only=true) }}
),

catalog as (
    select * from {{ ref('kpi_catalog') }}
    where is_latest_version
),

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

targets as (
    select * from {{ ref('kpi_targets') }}
),

typical_improvements as (
    select * from {{ ref('kpi_typical_improvements') }}
),

overall_window_values as (
    select
        window_values.kpi_id,
        window_values.period_grain,
        window_values.value,
        window_values.is_period_complete
    from window_values
    where window_values.is_latest_version and window_values.breakdown = 'overall'
),

pivoted as (
    select
        catalog.kpi_id,
        max(case when overall_window_values.period_grain = 'window_before_go_live' then value end)
            as baseline_value,
        max(case when overall_window_values.period_grain = 'window_after_go_live' then value end)
            as after_value,
        {{ bool_or_sql("overall_window_values.period_grain = 'window_after_go_live' and is_period_complete") }}
            as is_after_window_complete,
        max(case when overall_window_values.period_grain = 'window_latest' then value end)
            as latest_value
    from catalog
    left join overall_window_values
        on catalog.kpi_id = overall_window_values.kpi_id
    group by catalog.kpi_id
),

target_values as (
    select
        targets.kpi_id,
        targets.target_id,
        targets.target_name_en,
        targets.comparison as target_comparison,
        cast(targets.target_value as double) as target_value,
        cast(targets.within_months as integer) as target_within_months,
        cast({{ dbt.dateadd('month', 'targets.within_months', 'settings.go_live_date') }} as date) as target_due_date,
        overall_window_values.value as target_window_value,
        coalesce(overall_window_values.is_period_complete, false) as is_target_window_complete
    from targets
    cross join settings
    left join overall_window_values
        on
            targets.kpi_id = overall_window_values.kpi_id
            and overall_window_values.period_grain = 'window_target_' || targets.target_id
),

scored as (
    select
        -- KPI
        catalog.kpi_id,
        catalog.kpi_version,
        catalog.name_en,
        catalog.category,
        catalog.unit,
        catalog.direction,
        -- windows
        settings.go_live_date,
        settings.baseline_months,
        settings.baseline_start_date,
        settings.after_end_date,
        -- values
        pivoted.baseline_value,
        pivoted.after_value,
        coalesce(pivoted.is_after_window_complete, false) as is_after_window_complete,
        pivoted.latest_value,
        {{ relative_change('pivoted.after_value', 'pivoted.baseline_value') }} as change_after,
        {{ relative_change('pivoted.latest_value', 'pivoted.baseline_value') }} as change_latest,
        -- target
        target_values.target_id,
        target_values.target_name_en,
        target_values.target_comparison,
        target_values.target_value,
        target_values.target_within_months,
        target_values.target_due_date,
        target_values.target_window_value,
        case
            when target_values.target_comparison = 'relative_change'
                then {{ relative_change('target_values.target_window_value', 'pivoted.baseline_value') }}
            else target_values.target_window_value
        end as target_measured,
        target_values.is_target_window_complete,
        -- typical improvement (article 001), for comparison only
        typical_improvements.improvement as typical_improvement
    from catalog
    cross join settings
    inner join pivoted
        on catalog.kpi_id = pivoted.kpi_id
    left join target_values
        on catalog.kpi_id = target_values.kpi_id
    left join typical_improvements
        on catalog.kpi_id = typical_improvements.kpi_id
)

select
    scored.*,
    case
        when scored.after_value is null or scored.baseline_value is null then null
        when scored.direction = 'up' then scored.after_value > scored.baseline_value
        when scored.direction = 'down' then scored.after_value < scored.baseline_value
    end as is_improved_after,
    case
        when scored.target_id is null then null
        when not scored.is_target_window_complete then 'not yet due'
        when scored.target_measured is null then 'no data'
        when scored.target_value >= 0 and scored.target_comparison = 'relative_change'
            then case when scored.target_measured >= scored.target_value then 'met' else 'not met' end
        when scored.target_comparison = 'relative_change'
            then case when scored.target_measured <= scored.target_value then 'met' else 'not met' end
        when scored.direction = 'down'
            then case when scored.target_measured <= scored.target_value then 'met' else 'not met' end
        else case when scored.target_measured >= scored.target_value then 'met' else 'not met' end
    end as target_status
from scored
