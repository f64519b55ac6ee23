{#-
    renewal_rate v1: subscriptions that ended in the period and have a renewal (another
    subscription with renewed_from_subscription_id = it, started by as_of) / subscriptions that
    ended in the period.
-#}
with

subscriptions as (
    select * from {{ ref('fct_subscriptions') }}
),

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

renewed as (
    select distinct subscriptions.renewed_from_subscription_id as subscription_id
    from subscriptions
    cross join settings
    where subscriptions.started_at <= settings.as_of_at
),

ended_subscriptions as (
    select
        subscriptions.ended_at as event_at,
        case when renewed.subscription_id is not null then 1 else 0 end as numerator,
        1 as denominator,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from subscriptions
    left join renewed
        on subscriptions.subscription_id = renewed.subscription_id
    where subscriptions.ended_at is not null
),

{{ kpi_rollup(
    'ended_subscriptions', 'renewal_rate', 1, 'ratio',
    breakdowns=kpi_owner_breakdowns(), requires=['subscriptions']
) }}
