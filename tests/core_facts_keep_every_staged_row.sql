{#- Fan-out and loss guard: every core fact has exactly one row per staged row of its table. -#}
{%- set pairs = [
    ('fct_orders', 'stg_crm__orders'),
    ('fct_opportunities', 'stg_crm__opportunities'),
    ('fct_leads', 'stg_crm__leads'),
    ('fct_tickets', 'stg_crm__tickets'),
    ('fct_activities', 'stg_crm__activities'),
    ('fct_survey_responses', 'stg_crm__survey_responses'),
    ('fct_crm_costs', 'stg_crm__crm_costs'),
    ('fct_subscriptions', 'stg_crm__subscriptions'),
    ('fct_usage_events', 'stg_crm__usage_events'),
    ('fct_web_sessions', 'stg_crm__web_sessions'),
    ('fct_sales_targets', 'stg_crm__sales_targets'),
    ('fct_trainings', 'stg_crm__trainings'),
    ('dim_customers', 'stg_crm__customers'),
    ('dim_users', 'stg_crm__users'),
    ('dim_campaigns', 'stg_crm__campaigns'),
] -%}

with

counts as (
    {% for mart, staged in pairs %}
    select
        '{{ mart }}' as mart_name,
        (select count(*) from {{ ref(mart) }}) as mart_rows,
        (select count(*) from {{ ref(staged) }}) as staged_rows
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select *
from counts
where counts.mart_rows <> counts.staged_rows
