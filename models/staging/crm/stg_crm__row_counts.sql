{#-
    Per raw table: rows in the input (counted straight from the extract, independently of the
    base models), rows staged, rows quarantined and, among those, superseded duplicates.
    raw_rows = staged_rows + quarantined_rows is asserted by tests/assert_raw_rows_reconcile.sql.
-#}
with

{% for table_name in crm_tables() %}
{{ table_name }}_counts as (
    select
        '{{ table_name }}' as table_name,
        (select count(*) from ({{ crm_extract(table_name) }}) as raw_extract) as raw_rows,
        (select count(*) from {{ ref('stg_crm__' ~ table_name) }}) as staged_rows,
        (
            select count(*) from {{ ref('stg_crm__quarantined_rows') }}
            where table_name = '{{ table_name }}'
        ) as quarantined_rows,
        (
            select count(*) from {{ ref('stg_crm__quarantined_rows') }}
            where table_name = '{{ table_name }}' and reasons = 'duplicate_superseded'
        ) as duplicate_rows
),
{% endfor %}

unioned as (
    {% for table_name in crm_tables() %}
    select * from {{ table_name }}_counts
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    table_name,
    cast(raw_rows as bigint) as raw_rows,
    cast(staged_rows as bigint) as staged_rows,
    cast(quarantined_rows as bigint) as quarantined_rows,
    cast(duplicate_rows as bigint) as duplicate_rows
from unioned
