{#-
    invalid_email_rate v1 (stock, at the end of the period): among the non-empty e-mails of the
    customers and leads created before the end instant, the share that are not valid addresses
    (is_email_valid, set in staging). Overall only.
-#}
with

periods as (
    select * from {{ ref('int_periods') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

leads as (
    select * from {{ ref('fct_leads') }}
),

emails as (
    select created_at, is_email_valid from customers where has_email
    union all
    select created_at, is_email_valid from leads where has_email
),

emails_at_period_end as (
    select
        periods.period_grain,
        periods.period_start,
        case when emails.is_email_valid then 0 else 1 end as numerator,
        1 as denominator
    from periods
    inner join emails
        on emails.created_at < periods.end_instant
),

{{ kpi_rollup('emails_at_period_end', 'invalid_email_rate', 1, 'ratio', time_basis='period') }}
