{#-
    One row per data requirement a KPI can declare (`requires` of kpi_rollup / kpi_finalize):
    an optional extract (by its table name) or an optional column (`table.column`). A requirement
    is available when at least one staged row carries it; otherwise the KPIs that need it are
    reported with is_available = false and this reason, never as zero.
-#}
with

row_counts as (
    select * from {{ ref('stg_crm__row_counts') }}
),

orders as (
    select * from {{ ref('stg_crm__orders') }}
),

survey_responses as (
    select * from {{ ref('stg_crm__survey_responses') }}
),

trainings as (
    select * from {{ ref('stg_crm__trainings') }}
),

web_sessions as (
    select * from {{ ref('stg_crm__web_sessions') }}
),

extracts as (
    select
        table_name as requirement,
        staged_rows > 0 as is_available,
        case
            when raw_rows = 0 then 'the ' || table_name || ' extract is absent or empty'
            when staged_rows = 0 then 'every row of the ' || table_name || ' extract was quarantined'
        end as reason
    from row_counts
),

columns_present as (
    select
        'orders.cost_amount' as requirement,
        count(cost_amount) as filled_rows,
        'no order has cost_amount' as missing_reason
    from orders
    union all
    select
        'orders.fulfilled_at' as requirement,
        count(fulfilled_at) as filled_rows,
        'no order has fulfilled_at' as missing_reason
    from orders
    union all
    select
        'survey_responses.nps' as requirement,
        count(case when survey_type = 'nps' then 1 end) as filled_rows,
        'no nps survey responses' as missing_reason
    from survey_responses
    union all
    select
        'survey_responses.csat' as requirement,
        count(case when survey_type = 'csat' then 1 end) as filled_rows,
        'no csat survey responses' as missing_reason
    from survey_responses
    union all
    select
        'trainings.assessment_score' as requirement,
        count(assessment_score) as filled_rows,
        'no training has an assessment_score' as missing_reason
    from trainings
    union all
    select
        'web_sessions.duration_seconds' as requirement,
        count(duration_seconds) as filled_rows,
        'no web session has duration_seconds' as missing_reason
    from web_sessions
),

columns as (
    select
        requirement,
        filled_rows > 0 as is_available,
        case when filled_rows = 0 then missing_reason end as reason
    from columns_present
)

select
    requirement,
    is_available,
    reason
from extracts
union all
select
    requirement,
    is_available,
    reason
from columns
