{#-
    Periods during which a customer is active (kpis.md "Customers", docs/architecture.md):
      * a customer with at least one subscription (started by as_of) is active while one runs:
        [started_at, ended_at), ended_at null = open-ended;
      * any other customer is active for churn_inactivity_days after each completed order
        (status completed, ordered_at <= as_of_at): [ordered_at, ordered_at + N days).
    Overlapping or touching intervals of a customer are merged into non-overlapping spans (gaps and
    islands). Every customer id of orders / subscriptions is kept, known to the customers extract or not.
-#}
{%- set churn_days = var('churn_inactivity_days') | int -%}

with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

orders as (
    select * from {{ ref('stg_crm__orders') }}
),

subscriptions as (
    select * from {{ ref('stg_crm__subscriptions') }}
),

-- customers whose activity is measured by subscriptions
subscription_customers as (
    select distinct subscriptions.customer_id
    from subscriptions
    cross join settings
    where subscriptions.started_at <= settings.as_of_at
),

subscription_intervals as (
    select
        subscriptions.customer_id,
        subscriptions.subscription_id as interval_id,
        'subscription' as activity_basis,
        subscriptions.started_at as interval_start,
        coalesce(subscriptions.ended_at, {{ open_end_sentinel() }}) as interval_end,
        subscriptions.cancel_reason
    from subscriptions
    cross join settings
    where
        subscriptions.started_at <= settings.as_of_at
        -- a subscription that ends when it starts is never running
        and (subscriptions.ended_at is null or subscriptions.ended_at > subscriptions.started_at)
),

order_intervals as (
    select
        orders.customer_id,
        orders.order_id as interval_id,
        'order' as activity_basis,
        orders.ordered_at as interval_start,
        {{ dbt.dateadd('day', churn_days, 'orders.ordered_at') }} as interval_end,
        cast(null as {{ dbt.type_string() }}) as cancel_reason
    from orders
    cross join settings
    left join subscription_customers
        on orders.customer_id = subscription_customers.customer_id
    where
        orders.status = 'completed'
        and orders.ordered_at <= settings.as_of_at
        and subscription_customers.customer_id is null
),

intervals as (
    select * from subscription_intervals
    union all
    select * from order_intervals
),

-- the furthest end among the customer's earlier intervals
with_previous_end as (
    select
        intervals.*,
        max(intervals.interval_end) over (
            partition by intervals.customer_id
            order by intervals.interval_start, intervals.interval_end, intervals.interval_id
            rows between unbounded preceding and 1 preceding
        ) as previous_max_end
    from intervals
),

-- an interval that starts after every earlier one has ended starts a new island (touching = same island)
islands as (
    select
        with_previous_end.*,
        sum(
            case
                when
                    with_previous_end.previous_max_end is null
                    or with_previous_end.interval_start > with_previous_end.previous_max_end
                    then 1
                else 0
            end
        ) over (
            partition by with_previous_end.customer_id
            order by with_previous_end.interval_start, with_previous_end.interval_end, with_previous_end.interval_id
            rows between unbounded preceding and current row
        ) as span_number
    from with_previous_end
),

spans as (
    select
        islands.customer_id,
        islands.span_number,
        islands.activity_basis,
        min(islands.interval_start) as span_start,
        max(islands.interval_end) as span_end
    from islands
    group by islands.customer_id, islands.span_number, islands.activity_basis
),

-- the subscription whose end closes the span (a stated reason wins over an empty one)
closing_intervals as (
    select
        islands.customer_id,
        islands.span_number,
        islands.cancel_reason,
        row_number() over (
            partition by islands.customer_id, islands.span_number
            order by
                case when islands.cancel_reason is null then 1 else 0 end,
                islands.interval_start desc,
                islands.interval_id desc
        ) as closing_rank
    from islands
    inner join spans
        on
            islands.customer_id = spans.customer_id
            and islands.span_number = spans.span_number
            and islands.interval_end = spans.span_end
),

final as (
    select
        -- key
        spans.customer_id,
        cast(spans.span_number as integer) as span_number,
        -- span
        spans.span_start,
        case when spans.span_end < {{ open_end_sentinel() }} then spans.span_end end as span_end,
        spans.activity_basis,
        -- churn
        spans.span_end <= settings.as_of_at as is_churned,
        case when spans.span_end <= settings.as_of_at then spans.span_end end as churned_at,
        case
            when spans.span_end <= settings.as_of_at and spans.activity_basis = 'subscription'
                then closing_intervals.cancel_reason
        end as churn_reason,
        -- customer
        min(spans.span_start) over (partition by spans.customer_id) as first_active_at
    from spans
    cross join settings
    left join closing_intervals
        on
            spans.customer_id = closing_intervals.customer_id
            and spans.span_number = closing_intervals.span_number
            and closing_intervals.closing_rank = 1
)

select * from final
