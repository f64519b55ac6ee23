{#-
    No personal data in clear in the marts: no model of the marts folder has a column that carries
    names, e-mails or phones (macro marts_personal_data_columns). Returns the offending columns.
-#}
-- depends_on: {{ ref('dim_customers') }}
-- depends_on: {{ ref('dim_users') }}
-- depends_on: {{ ref('fct_leads') }}
{%- set offenders = marts_personal_data_columns() %}

{% if offenders | length > 0 -%}
{% for model_name, column_name in offenders %}
select
    '{{ model_name }}' as model_name,
    '{{ column_name }}' as column_name
{% if not loop.last %}union all{% endif %}
{% endfor %}
{%- else -%}
select
    cast(null as {{ dbt.type_string() }}) as model_name,
    cast(null as {{ dbt.type_string() }}) as column_name
where 1 = 0
{%- endif %}
