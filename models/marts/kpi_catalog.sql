{#- One row per KPI and version: the catalog of seeds/reference/kpi_definitions.csv, published. -#}
with

definitions as (
    select * from {{ ref('kpi_definitions') }}
),

latest as (
    select
        kpi_id,
        max(kpi_version) as latest_version
    from definitions
    group by kpi_id
)

select
    -- key
    definitions.kpi_id,
    cast(definitions.kpi_version as integer) as kpi_version,
    'kpi_' || definitions.kpi_id || '_v' || cast(definitions.kpi_version as {{ dbt.type_string() }}) as model_name,
    -- names
    definitions.name_en,
    definitions.name_ar,
    definitions.name_fa,
    definitions.name_uk,
    -- definition
    definitions.description,
    definitions.formula,
    definitions.unit,
    definitions.direction,
    definitions.category,
    definitions.perspective,
    definitions.grains,
    definitions.breakdowns,
    definitions.requires,
    cast(definitions.value_min as double) as value_min,
    cast(definitions.value_max as double) as value_max,
    -- provenance and ownership
    definitions.sources,
    definitions.source_terms,
    definitions.owner,
    -- lifecycle
    definitions.status,
    definitions.kpi_version = latest.latest_version as is_latest_version,
    cast(nullif(definitions.deprecation_date, '') as date) as deprecation_date,
    definitions.deprecation_reason
from definitions
inner join latest
    on definitions.kpi_id = latest.kpi_id
