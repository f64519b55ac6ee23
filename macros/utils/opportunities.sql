{#-
    Is an opportunity open at an instant: created before it and not closed before it
    (kpis.md open_pipeline_value). Reads open_from / open_until of int_opportunity_cycles or
    fct_opportunities under `relation_alias`.
-#}
{% macro opportunity_is_open_at(instant_expr, relation_alias) -%}
    (
        {{ relation_alias }}.open_from < {{ instant_expr }}
        and ({{ relation_alias }}.open_until is null or {{ relation_alias }}.open_until >= {{ instant_expr }})
    )
{%- endmacro %}
