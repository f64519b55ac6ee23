{#-
    Customer status per reporting period: one row per (period_grain, period_start, customer_id) for
    customers active at the start or at the end of the period, or new in it.
      active at instant t  <=>  active just before t: a span with span_start < t and
                              (span_end is null or span_end >= t);
      start = the instant period_start; end = end_instant (period_end, capped at as_of).
    "Just before" keeps the instants consistent with the half-open periods [start, end) that
    events are placed in: a customer whose first span starts exactly at period_start is new in
    the period (N) and not already active at its start (S); a span ending exactly at period_end
    is a churn of the next period, so the customer still counts in this period's E.
      new   = first_active_at in [period_start, period_end) and <= as_of_at;
      lost  = active at the start and not at the end.
-#}
with

periods as (
    select * from {{ ref('int_periods') }}
),

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

spans as (
    select * from {{ ref('int_customer_activity_spans') }}
),

customer_breakdowns as (
    select * from {{ ref('int_customer_breakdowns') }}
),

-- every span that touches the period [period_start, end_instant]
period_spans as (
    select
        periods.period_grain,
        periods.period_start,
        periods.period_end,
        periods.end_instant,
        spans.customer_id,
        spans.span_start,
        spans.span_end,
        spans.churn_reason,
        spans.first_active_at,
        cast(periods.period_start as {{ dbt.type_timestamp() }}) as start_instant
    from periods
    inner join spans
        on
            -- inclusive here (a span starting exactly at the capped end can still make a customer new);
            -- the flags below decide S and E
            spans.span_start <= periods.end_instant
            and (spans.span_end is null or spans.span_end >= cast(periods.period_start as {{ dbt.type_timestamp() }}))
),

flagged_spans as (
    select
        period_spans.*,
        case
            when
                period_spans.span_start < period_spans.start_instant
                and (period_spans.span_end is null or period_spans.span_end >= period_spans.start_instant)
                then 1
            else 0
        end as is_active_at_start_flag,
        case
            when
                period_spans.span_start < period_spans.end_instant
                and (period_spans.span_end is null or period_spans.span_end >= period_spans.end_instant)
                then 1
            else 0
        end as is_active_at_end_flag
    from period_spans
),

per_customer as (
    select
        flagged_spans.period_grain,
        flagged_spans.period_start,
        flagged_spans.period_end,
        flagged_spans.customer_id,
        flagged_spans.first_active_at,
        max(flagged_spans.is_active_at_start_flag) = 1 as is_active_at_start,
        max(flagged_spans.is_active_at_end_flag) = 1 as is_active_at_end,
        -- the reason of the span that was running at the start and ended in the period
        max(
            case
                when flagged_spans.is_active_at_start_flag = 1 and flagged_spans.is_active_at_end_flag = 0
                    then flagged_spans.churn_reason
            end
        ) as ended_span_churn_reason
    from flagged_spans
    group by
        flagged_spans.period_grain,
        flagged_spans.period_start,
        flagged_spans.period_end,
        flagged_spans.customer_id,
        flagged_spans.first_active_at
),

final as (
    select
        -- key
        per_customer.period_grain,
        per_customer.period_start,
        per_customer.customer_id,
        -- status
        per_customer.is_active_at_start,
        per_customer.is_active_at_end,
        (
            per_customer.first_active_at >= cast(per_customer.period_start as {{ dbt.type_timestamp() }})
            and per_customer.first_active_at < cast(per_customer.period_end as {{ dbt.type_timestamp() }})
            and per_customer.first_active_at <= settings.as_of_at
        ) as is_new,
        per_customer.is_active_at_start and not per_customer.is_active_at_end as is_lost,
        case
            when per_customer.is_active_at_start and not per_customer.is_active_at_end
                then per_customer.ended_span_churn_reason
        end as churn_reason,
        per_customer.first_active_at,
        -- breakdown attributes
        customer_breakdowns.user_id,
        customer_breakdowns.team,
        customer_breakdowns.segment,
        customer_breakdowns.region,
        customer_breakdowns.acquisition_channel
    from per_customer
    cross join settings
    left join customer_breakdowns
        on per_customer.customer_id = customer_breakdowns.customer_id
)

select * from final
where is_active_at_start or is_active_at_end or is_new
