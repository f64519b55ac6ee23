{#-
    resolution_rate v1: tickets resolved in the period with resolution `solved` / tickets resolved in
    the period, excluding resolutions duplicate and spam (a resolved ticket without a resolution counts
    in the denominator only).
-#}
with

tickets as (
    select * from {{ ref('fct_tickets') }}
),

countable_resolutions as (
    select
        resolved_at as event_at,
        case when is_solved then 1 else 0 end as numerator,
        1 as denominator,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from tickets
    where is_countable_resolution
),

{{ kpi_rollup(
    'countable_resolutions', 'resolution_rate', 1, 'ratio',
    breakdowns=kpi_owner_breakdowns()
) }}
