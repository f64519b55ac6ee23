{#-
    Keyed hash of a personal value: md5(var('pii_hash_key') || normalised value), where the
    normalised value is the trimmed, lower-cased text (callers pass already-normalised values,
    e.g. phone digits). Null (or empty) in, null out: a missing value never hashes to the key's hash.
-#}
{% macro pii_hash(expr) -%}
    {{ return(adapter.dispatch('pii_hash', 'crm_kpi')(expr)) }}
{%- endmacro %}
{% macro default__pii_hash(expr) -%}
    {%- set key = (var('pii_hash_key') | string) | replace("'", "''") -%}
    {%- set normalised = "nullif(lower(trim(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ "))), '')" -%}
    case
        when {{ normalised }} is not null
            then md5('{{ key }}' || {{ normalised }})
    end
{%- endmacro %}
