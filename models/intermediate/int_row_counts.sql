{#-
    Per raw table, the reconciliation of the input with staging (stg_crm__row_counts), for the marts:
    raw rows read from the extract, rows staged, rows quarantined and, among those, superseded
    duplicates. raw_rows = staged_rows + quarantined_rows (tests/assert_raw_rows_reconcile.sql).
-#}
with

row_counts as (
    select * from {{ ref('stg_crm__row_counts') }}
),

final as (
    select
        -- key
        row_counts.table_name,
        -- counts
        row_counts.raw_rows,
        row_counts.staged_rows,
        row_counts.quarantined_rows,
        row_counts.duplicate_rows
    from row_counts
)

select * from final
