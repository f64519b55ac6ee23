{#- A customer's activity spans are merged: each starts strictly after the previous one ended. -#}
with

spans as (
    select * from {{ ref('int_customer_activity_spans') }}
),

with_previous as (
    select
        spans.customer_id,
        spans.span_number,
        spans.span_start,
        lag(spans.span_end) over (partition by spans.customer_id order by spans.span_number) as previous_span_end,
        lag(spans.span_number) over (partition by spans.customer_id order by spans.span_number) as previous_number
    from spans
)

select *
from with_previous
where
    with_previous.previous_number is not null
    and (with_previous.previous_span_end is null or with_previous.span_start <= with_previous.previous_span_end)
