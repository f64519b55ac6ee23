{#-
    quarantined_row_rate v1 (all_time only): quarantined raw rows / raw rows (int_row_counts), by `table`
    and overall (Σ over the tables); an extract with 0 raw rows has a null rate. Shaped here for
    kpi_finalize, as `table` is a reserved SQL word that kpi_rollup cannot take as a column name.
-#}
with

periods as (
    select * from {{ ref('int_periods') }}
    where period_grain = 'all_time'
),

row_counts as (
    select * from {{ ref('int_row_counts') }}
),

rows_by_table as (
    select
        'table' as breakdown,
        table_name as breakdown_value,
        quarantined_rows as numerator,
        raw_rows as denominator
    from row_counts
    union all
    select
        'overall' as breakdown,
        null as breakdown_value,
        sum(quarantined_rows) as numerator,
        sum(raw_rows) as denominator
    from row_counts
),

quarantine_rates as (
    select
        periods.period_grain,
        periods.period_start,
        rows_by_table.*,
        {{ kpi_safe_divide('rows_by_table.numerator', 'rows_by_table.denominator') }} as value
    from periods
    cross join rows_by_table
),

{{ kpi_finalize('quarantine_rates', 'quarantined_row_rate', 1, grains=['all_time'], include_windows=false) }}
