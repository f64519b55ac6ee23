-- Every KPI version of the catalog has rows in kpi_values (available, or with a reason).
select
    catalog.kpi_id,
    catalog.kpi_version
from {{ ref('kpi_catalog') }} as catalog
left join (
    select distinct kpi_id, kpi_version from {{ ref('kpi_values') }}
) as built
    on
        catalog.kpi_id = built.kpi_id
        and catalog.kpi_version = built.kpi_version
where built.kpi_id is null
