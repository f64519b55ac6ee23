-- Every raw row is either staged or quarantined, per table (the input contract's promise).
select
    table_name,
    raw_rows,
    staged_rows,
    quarantined_rows
from {{ ref('stg_crm__row_counts') }}
where raw_rows <> staged_rows + quarantined_rows
