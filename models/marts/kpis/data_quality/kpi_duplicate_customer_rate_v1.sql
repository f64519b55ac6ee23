{#-
    duplicate_customer_rate v1 (stock, at the end of the period): among the customers created before the
    end instant, the share sharing a normalised e-mail or phone with an older customer record
    (dim_customers.is_duplicate; the older record was created earlier, so it is counted too). Overall only.
-#}
with

periods as (
    select * from {{ ref('int_periods') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

customers_at_period_end as (
    select
        periods.period_grain,
        periods.period_start,
        case when customers.is_duplicate then 1 else 0 end as numerator,
        1 as denominator
    from periods
    inner join customers
        on customers.created_at < periods.end_instant
),

{{ kpi_rollup('customers_at_period_end', 'duplicate_customer_rate', 1, 'ratio', time_basis='period') }}
