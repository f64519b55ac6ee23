{#- Every raw row that did not make it into staging, with its table, key, reasons and original text. -#}
{%- set primary_keys = {} -%}
{%- set text_type = dbt.type_string() -%}
{%- if execute -%}
{%- for table_name in crm_tables() -%}
{%- do primary_keys.update({table_name: crm_contract_table(table_name).meta.primary_key}) -%}
{%- endfor -%}
{%- endif -%}

with

{% for table_name in crm_tables() %}
{{ table_name }}_quarantined as (
    select
        '{{ table_name }}' as table_name,
        {{ crm_record_key(primary_keys.get(table_name, [])) }} as record_key,
        _source_row_number as source_row_number,
        _quarantine_reasons as reasons,
        _raw_row as raw_row
    from {{ ref('base_crm__' ~ table_name) }}
    where _quarantine_reasons is not null
),
{% endfor %}

unioned as (
    {% for table_name in crm_tables() %}
    select * from {{ table_name }}_quarantined
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    {{ dbt.concat(["table_name", "':'", "cast(source_row_number as " ~ text_type ~ ")"]) }} as quarantined_row_id,
    table_name,
    record_key,
    source_row_number,
    reasons,
    raw_row
from unioned
