{#-
    Generic test: the combination of `columns` is unique (a composite primary key).
    Fails with one row per duplicated key combination.
        data_tests:
          - unique_key:
              arguments:
                columns: [period_grain, period_start]
-#}
{% test unique_key(model, columns) %}

with

grouped as (
    select
        {% for column in columns -%}
            {{ column }},
        {% endfor -%}
        count(*) as n_rows
    from {{ model }}
    group by {% for column in columns %}{{ column }}{{ ', ' if not loop.last }}{% endfor %}
)

select *
from grouped
where n_rows > 1

{% endtest %}
