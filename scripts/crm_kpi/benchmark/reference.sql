-- The benchmark's lower bound: ten KPIs of the catalog computed from the raw extracts in one
-- hand-written DuckDB SQL script, no dbt (scripts/crm_kpi/benchmark, docs/performance.md).
-- It applies the input contract where it changes a number (every quarantine rule of the tables
-- it reads, then one row per key: the latest updated_at, else the later row of the file) and the
-- KPI rules of docs/kpi_design.md for: revenue v1, win_rate v1, average_deal_size v1,
-- sales_cycle_days v1, lead_conversion_rate v1, first_response_hours v1, resolution_hours v1,
-- churn_rate v1, active_user_rate v1, nps v1 - every grain (month, quarter, year, all_time),
-- period and breakdown that kpi_values holds for them. Settings are the project's defaults
-- (UTC, fiscal year from January, 90 churn days) with a fixed as_of_date.
-- The dollar placeholders (file readers, as_of_date, churn days) are filled by
-- crm_kpi.benchmark.references; a literal dollar sign is written twice.

-- ------------------------------------------------------------------ parsing (the contract's rules)
create or replace temp macro clean(x) as nullif(trim(cast(x as varchar), e' \t\r\n'), '');
create or replace temp macro ts(x) as
    case
        when regexp_matches(x, '[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]*)?)? ?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$$')
            then timezone('UTC', try_cast(x as timestamptz))
        else try_cast(x as timestamp)
    end;
create or replace temp macro bad_ts(x) as
    coalesce(x is not null and (ts(x) is null or ts(x) < date '1900-01-01' or ts(x) >= date '2100-01-01'), false);
create or replace temp macro dt(x) as coalesce(try_cast(x as date), cast(try_cast(x as timestamp) as date));
create or replace temp macro bad_dt(x) as
    coalesce(x is not null and (dt(x) is null or dt(x) < date '1900-01-01' or dt(x) >= date '2100-01-01'), false);
create or replace temp macro num(x) as case when isfinite(try_cast(x as double)) then try_cast(x as double) end;
create or replace temp macro bad_num(x) as coalesce(x is not null and num(x) is null, false);
create or replace temp macro money(x) as try_cast(x as decimal(18, 4));
create or replace temp macro bad_money(x) as
    coalesce(x is not null and (num(x) is null or money(x) is null or money(x) < 0), false);
create or replace temp macro int_(x) as try_cast(x as integer);
create or replace temp macro bad_int(x) as coalesce(x is not null and (int_(x) is null or int_(x) < 0), false);
create or replace temp macro label(x) as nullif(regexp_replace(lower(x), '[^\pL\pN]+', '_', 'g'), '_');
create or replace temp macro bool_(x) as
    case
        when lower(x) in ('true', '1', 'yes', 't', 'y') then true
        when lower(x) in ('false', '0', 'no', 'f', 'n') then false
    end;
create or replace temp macro bad_bool(x) as coalesce(x is not null and bool_(x) is null, false);
create or replace temp macro cur(x) as coalesce(upper(x), 'USD');
create or replace temp macro hours_between(a, b) as cast((epoch(b) - epoch(a)) / 3600.0 as double);
create or replace temp macro days_between(a, b) as cast((epoch(b) - epoch(a)) / 86400.0 as double);

-- ------------------------------------------------------------------ staged tables
create or replace temp table rates as
with src as (
    select clean(currency) as currency, clean(rate_date) as rate_date,
        clean(rate_to_reporting) as rate_to_reporting, row_number() over () as rn
    from ${exchange_rates}
),
valid as (
    select cur(currency) as currency, dt(rate_date) as rate_date, num(rate_to_reporting) as rate, rn
    from src
    where currency is not null and rate_date is not null and rate_to_reporting is not null
        and not bad_dt(rate_date) and not bad_num(rate_to_reporting)
        and not coalesce(num(rate_to_reporting) <= 0, false)
    qualify row_number() over (partition by cur(currency), dt(rate_date) order by rn desc) = 1
)
select currency, rate_date, rate,
    lead(rate_date) over (partition by currency order by rate_date) as valid_until
from valid;

create or replace temp table users as
with src as (
    select clean(user_id) as user_id, clean(team) as team, clean(email) as email,
        clean(licensed_from) as licensed_from, clean(licensed_to) as licensed_to, row_number() over () as rn
    from ${users}
)
select user_id, label(team) as team, ts(licensed_from) as licensed_from, ts(licensed_to) as licensed_to
from src
where user_id is not null and not bad_ts(licensed_from) and not bad_ts(licensed_to)
    and not coalesce(ts(licensed_to) < ts(licensed_from), false)
qualify row_number() over (partition by user_id order by rn desc) = 1;

create or replace temp table customers as
with src as (
    select clean(customer_id) as customer_id, clean(segment) as segment, clean(region) as region,
        clean(acquisition_channel) as acquisition_channel, clean(owner_user_id) as owner_user_id,
        clean(created_at) as created_at, clean(updated_at) as updated_at, row_number() over () as rn
    from ${customers}
)
select customer_id, label(segment) as segment, region, label(acquisition_channel) as acquisition_channel,
    owner_user_id, ts(created_at) as created_at
from src
where customer_id is not null and created_at is not null and not bad_ts(created_at) and not bad_ts(updated_at)
qualify row_number() over (partition by customer_id order by ts(updated_at) desc nulls last, rn desc) = 1;

-- the five owner breakdowns of a customer
create or replace temp table customer_breakdowns as
select customers.customer_id, customers.owner_user_id as user_id, users.team, customers.segment,
    customers.region, customers.acquisition_channel
from customers
left join users on customers.owner_user_id = users.user_id;

create or replace temp table orders as
with src as (
    select clean(order_id) as order_id, clean(customer_id) as customer_id, clean(opportunity_id) as opportunity_id,
        clean(ordered_at) as ordered_at, clean(amount) as amount, clean(cost_amount) as cost_amount,
        clean(currency) as currency, clean(status) as status, clean(fulfilled_at) as fulfilled_at,
        clean(updated_at) as updated_at, row_number() over () as rn
    from ${orders}
),
parsed as (
    select src.*, ts(src.ordered_at) as ordered_ts, money(src.amount) as amount_original,
        case when cur(src.currency) = 'USD' then cast(1 as double) else rates.rate end as rate
    from src
    left join rates
        on rates.currency = cur(src.currency)
        and cast(ts(src.ordered_at) as date) >= rates.rate_date
        and (rates.valid_until is null or cast(ts(src.ordered_at) as date) < rates.valid_until)
)
select order_id, customer_id, label(status) as status, ordered_ts as ordered_at,
    cast(amount_original * rate as decimal(18, 4)) as amount
from parsed
where order_id is not null and customer_id is not null and ordered_at is not null and amount is not null
    and status is not null
    and not bad_ts(ordered_at) and not bad_money(amount) and not bad_money(cost_amount)
    and not coalesce(label(status) not in ('completed', 'cancelled', 'refunded'), false)
    and not bad_ts(fulfilled_at) and not bad_ts(updated_at)
    and not coalesce(ts(fulfilled_at) < ordered_ts, false)
    and not (amount_original is not null and ordered_ts is not null and rate is null)
qualify row_number() over (partition by order_id order by ts(updated_at) desc nulls last, rn desc) = 1;

create or replace temp table opportunities as
with src as (
    select clean(opportunity_id) as opportunity_id, clean(customer_id) as customer_id, clean(lead_id) as lead_id,
        clean(owner_user_id) as owner_user_id, clean(opportunity_type) as opportunity_type,
        clean(stage) as stage, clean(amount) as amount, clean(currency) as currency,
        clean(created_at) as created_at, clean(closed_at) as closed_at, clean(updated_at) as updated_at,
        row_number() over () as rn
    from ${opportunities}
),
parsed as (
    select src.*, ts(src.created_at) as created_ts, ts(src.closed_at) as closed_ts, label(src.stage) as stage_label,
        money(src.amount) as amount_original,
        case when cur(src.currency) = 'USD' then cast(1 as double) else rates.rate end as rate
    from src
    left join rates
        on rates.currency = cur(src.currency)
        and cast(coalesce(ts(src.closed_at), ts(src.created_at)) as date) >= rates.rate_date
        and (rates.valid_until is null
            or cast(coalesce(ts(src.closed_at), ts(src.created_at)) as date) < rates.valid_until)
)
select opportunity_id, customer_id, owner_user_id, stage_label as stage, created_ts as created_at,
    closed_ts as closed_at, cast(amount_original * rate as decimal(18, 4)) as amount
from parsed
where opportunity_id is not null and stage is not null and amount is not null and created_at is not null
    and not coalesce(label(opportunity_type) not in ('new_business', 'upsell', 'cross_sell', 'renewal'), false)
    and not coalesce(stage_label not in (
        'prospecting', 'qualification', 'proposal', 'negotiation', 'closed_won', 'closed_lost'), false)
    and not bad_money(amount) and not bad_ts(created_at) and not bad_ts(closed_at) and not bad_ts(updated_at)
    and not coalesce(closed_ts < created_ts, false)
    and not coalesce(stage_label in ('closed_won', 'closed_lost') and closed_ts is null, false)
    and not (amount_original is not null and created_ts is not null and rate is null)
qualify row_number() over (partition by opportunity_id order by ts(updated_at) desc nulls last, rn desc) = 1;

create or replace temp table leads as
with src as (
    select clean(lead_id) as lead_id, clean(created_at) as created_at, clean(source_channel) as source_channel,
        clean(campaign_id) as campaign_id, clean(owner_user_id) as owner_user_id, clean(status) as status,
        clean(first_contacted_at) as first_contacted_at, clean(qualified_at) as qualified_at,
        clean(converted_at) as converted_at, clean(estimated_value) as estimated_value,
        clean(updated_at) as updated_at, row_number() over () as rn
    from ${leads}
)
select lead_id, ts(created_at) as created_at, label(source_channel) as source_channel, campaign_id, owner_user_id,
    ts(converted_at) as converted_at
from src
where lead_id is not null and created_at is not null and status is not null
    and not bad_ts(created_at)
    and not coalesce(label(status) not in ('new', 'working', 'qualified', 'unqualified', 'converted', 'lost'), false)
    and not bad_ts(first_contacted_at) and not bad_ts(qualified_at) and not bad_ts(converted_at)
    and not bad_money(estimated_value) and not bad_ts(updated_at)
    and not coalesce(ts(first_contacted_at) < ts(created_at), false)
    and not coalesce(ts(qualified_at) < ts(created_at), false)
    and not coalesce(ts(converted_at) < ts(created_at), false)
qualify row_number() over (partition by lead_id order by ts(updated_at) desc nulls last, rn desc) = 1;

create or replace temp table tickets as
with src as (
    select clean(ticket_id) as ticket_id, clean(customer_id) as customer_id, clean(category) as category,
        clean(channel) as channel, clean(priority) as priority, clean(assigned_user_id) as assigned_user_id,
        clean(created_at) as created_at, clean(first_response_at) as first_response_at,
        clean(resolved_at) as resolved_at, clean(status) as status, clean(resolution) as resolution,
        clean(reopened_count) as reopened_count, clean(updated_at) as updated_at, row_number() over () as rn
    from ${tickets}
)
select ticket_id, customer_id, assigned_user_id, ts(created_at) as created_at,
    ts(first_response_at) as first_response_at, ts(resolved_at) as resolved_at
from src
where ticket_id is not null and category is not null and created_at is not null and status is not null
    and not coalesce(label(category) not in ('complaint', 'question', 'incident', 'request'), false)
    and not coalesce(label(channel) not in ('email', 'phone', 'chat', 'web', 'social'), false)
    and not coalesce(label(priority) not in ('low', 'normal', 'high', 'urgent'), false)
    and not coalesce(label(status) not in ('open', 'pending', 'resolved', 'closed'), false)
    and not coalesce(label(resolution) not in ('solved', 'unsolved', 'duplicate', 'spam'), false)
    and not bad_ts(created_at) and not bad_ts(first_response_at) and not bad_ts(resolved_at)
    and not bad_int(reopened_count) and not bad_ts(updated_at)
    and not coalesce(ts(first_response_at) < ts(created_at), false)
    and not coalesce(ts(resolved_at) < ts(created_at), false)
qualify row_number() over (partition by ticket_id order by ts(updated_at) desc nulls last, rn desc) = 1;

create or replace temp table survey_responses as
with src as (
    select clean(response_id) as response_id, clean(customer_id) as customer_id, clean(ticket_id) as ticket_id,
        clean(survey_type) as survey_type, clean(score) as score, clean(responded_at) as responded_at,
        row_number() over () as rn
    from ${survey_responses}
)
select response_id, customer_id, ticket_id, label(survey_type) as survey_type, int_(score) as score,
    ts(responded_at) as responded_at
from src
where response_id is not null and survey_type is not null and score is not null and responded_at is not null
    and not coalesce(label(survey_type) not in ('nps', 'csat'), false)
    and not bad_int(score) and not bad_ts(responded_at)
    and not coalesce(label(survey_type) = 'nps' and (int_(score) < 0 or int_(score) > 10), false)
    and not coalesce(label(survey_type) = 'csat' and (int_(score) < 1 or int_(score) > 5), false)
qualify row_number() over (partition by response_id order by rn desc) = 1;

create or replace temp table subscriptions as
with src as (
    select clean(subscription_id) as subscription_id, clean(customer_id) as customer_id,
        clean(started_at) as started_at, clean(ended_at) as ended_at, clean(annual_value) as annual_value,
        clean(currency) as currency, clean(cancel_reason) as cancel_reason, row_number() over () as rn
    from ${subscriptions}
),
parsed as (
    select src.*, ts(src.started_at) as started_ts, money(src.annual_value) as value_original,
        case when cur(src.currency) = 'USD' then cast(1 as double) else rates.rate end as rate
    from src
    left join rates
        on rates.currency = cur(src.currency)
        and cast(ts(src.started_at) as date) >= rates.rate_date
        and (rates.valid_until is null or cast(ts(src.started_at) as date) < rates.valid_until)
)
select subscription_id, customer_id, started_ts as started_at, ts(ended_at) as ended_at,
    label(cancel_reason) as cancel_reason
from parsed
where subscription_id is not null and customer_id is not null and started_at is not null and annual_value is not null
    and not bad_ts(started_at) and not bad_ts(ended_at) and not bad_money(annual_value)
    and not coalesce(ts(ended_at) < started_ts, false)
    and not (value_original is not null and started_ts is not null and rate is null)
qualify row_number() over (partition by subscription_id order by rn desc) = 1;

create or replace temp table usage_events as
with src as (
    select clean(event_id) as event_id, clean(user_id) as user_id, clean(occurred_at) as occurred_at,
        clean(event_type) as event_type, row_number() over () as rn
    from ${usage_events}
)
select event_id, user_id, ts(occurred_at) as occurred_at
from src
where event_id is not null and user_id is not null and occurred_at is not null and event_type is not null
    and not bad_ts(occurred_at)
    and not coalesce(label(event_type) not in (
        'login', 'record_created', 'record_updated', 'report_viewed', 'automation_run'), false)
qualify row_number() over (partition by event_id order by rn desc) = 1;

create or replace temp table activities as
with src as (
    select clean(activity_id) as activity_id, clean(activity_type) as activity_type, clean(user_id) as user_id,
        clean(occurred_at) as occurred_at, clean(due_at) as due_at, clean(is_automated) as is_automated,
        row_number() over () as rn
    from ${activities}
)
select activity_id, user_id, ts(occurred_at) as occurred_at
from src
where activity_id is not null and activity_type is not null and user_id is not null
    and not coalesce(label(activity_type) not in ('call', 'email', 'meeting', 'note', 'task', 'follow_up'), false)
    and not bad_ts(occurred_at) and not bad_ts(due_at) and not bad_bool(is_automated)
    and not (occurred_at is null and label(activity_type) not in ('task', 'follow_up'))
qualify row_number() over (partition by activity_id order by rn desc) = 1;

-- ------------------------------------------------------------------ settings and calendar
create or replace temp table settings as
select
    cast(date '${as_of_date}' + interval 1 day as timestamp) as as_of_at,
    date '${as_of_date}' as as_of_date,
    cast(date_trunc('month', least(
        (select min(ordered_at) from orders), (select min(created_at) from leads),
        (select min(created_at) from opportunities), (select min(created_at) from tickets),
        (select min(occurred_at) from usage_events), (select min(occurred_at) from activities),
        (select min(created_at) from customers))) as date) as calendar_start;

create or replace temp table periods as
with months as (
    select cast(m as date) as month_start
    from settings, range(settings.calendar_start, settings.as_of_date + interval 1 day, interval 1 month) as r(m)
),
calendar as (
    select distinct 'month' as period_grain, month_start as period_start,
        cast(month_start + interval 1 month as date) as period_end from months
    union all
    select distinct 'quarter', cast(date_trunc('quarter', month_start) as date),
        cast(date_trunc('quarter', month_start) + interval 3 month as date) from months
    union all
    select distinct 'year', cast(date_trunc('year', month_start) as date),
        cast(date_trunc('year', month_start) + interval 1 year as date) from months
    union all
    select 'all_time', calendar_start, cast(as_of_date + interval 1 day as date) from settings
)
select calendar.*, least(cast(period_end as timestamp), settings.as_of_at) as end_instant,
    cast(period_end as timestamp) <= settings.as_of_at as is_complete
from calendar, settings;

-- ------------------------------------------------------------------ KPI inputs, one row per fact
-- facts: kpi, event_at, measure | numerator + denominator, and the five owner breakdowns
create or replace temp table event_facts as
select 'revenue' as kpi_id, orders.ordered_at as event_at, cast(orders.amount as double) as measure,
    null::double as numerator, null::double as denominator,
    cb.user_id, cb.team, cb.segment, cb.region, cb.acquisition_channel, null::varchar as campaign_id
from orders
cross join settings
left join customer_breakdowns as cb on orders.customer_id = cb.customer_id
where orders.status = 'completed' and orders.ordered_at <= settings.as_of_at
union all
select kpi_id, closed_at, measure, numerator, denominator,
    owner_user_id, users.team, cb.segment, cb.region, cb.acquisition_channel, null
from (
    select o.*, 'win_rate' as kpi_id, null::double as measure,
        case when o.stage = 'closed_won' then 1.0 else 0.0 end as numerator, 1.0 as denominator
    from opportunities as o, settings
    where o.stage in ('closed_won', 'closed_lost') and o.closed_at <= settings.as_of_at
    union all
    select o.*, 'average_deal_size', cast(o.amount as double), null, null
    from opportunities as o, settings
    where o.stage = 'closed_won' and o.closed_at <= settings.as_of_at
    union all
    select o.*, 'sales_cycle_days', days_between(o.created_at, o.closed_at), null, null
    from opportunities as o, settings
    where o.stage = 'closed_won' and o.closed_at <= settings.as_of_at
) as opp
left join users on opp.owner_user_id = users.user_id
left join customer_breakdowns as cb on opp.customer_id = cb.customer_id
union all
select 'lead_conversion_rate', leads.created_at, null,
    case when leads.converted_at <= settings.as_of_at then 1.0 else 0.0 end, 1.0,
    leads.owner_user_id, users.team, null, null, leads.source_channel, leads.campaign_id
from leads
cross join settings
left join users on leads.owner_user_id = users.user_id
union all
select kpi_id, event_at, measure, null, null,
    t.assigned_user_id, users.team, cb.segment, cb.region, cb.acquisition_channel, null
from (
    select tickets.*, 'first_response_hours' as kpi_id, tickets.created_at as event_at,
        hours_between(tickets.created_at, tickets.first_response_at) as measure
    from tickets, settings
    where tickets.first_response_at <= settings.as_of_at
    union all
    select tickets.*, 'resolution_hours', tickets.resolved_at,
        hours_between(tickets.created_at, tickets.resolved_at)
    from tickets, settings
    where tickets.resolved_at <= settings.as_of_at
) as t
left join users on t.assigned_user_id = users.user_id
left join customer_breakdowns as cb on t.customer_id = cb.customer_id
union all
select 'nps', r.responded_at, null,
    case when r.score >= 9 then 1.0 when r.score <= 6 then -1.0 else 0.0 end, 1.0,
    r.responsible_user_id, users.team, r.segment, r.region, r.acquisition_channel, null
from (
    select survey_responses.*, coalesce(tickets.assigned_user_id, cb.user_id) as responsible_user_id,
        cb.segment, cb.region, cb.acquisition_channel
    from survey_responses
    left join tickets on survey_responses.ticket_id = tickets.ticket_id
    left join customer_breakdowns as cb
        on coalesce(survey_responses.customer_id, tickets.customer_id) = cb.customer_id
    where survey_responses.survey_type = 'nps'
) as r
left join users on r.responsible_user_id = users.user_id;

-- each fact in its month, quarter, year and all_time (facts after as_of are out)
create or replace temp table placed_facts as
select f.*, g.period_grain,
    case g.period_grain
        when 'month' then cast(date_trunc('month', f.event_at) as date)
        when 'quarter' then cast(date_trunc('quarter', f.event_at) as date)
        when 'year' then cast(date_trunc('year', f.event_at) as date)
        else settings.calendar_start
    end as period_start
from event_facts as f
cross join settings
cross join (values ('month'), ('quarter'), ('year'), ('all_time')) as g(period_grain)
where f.event_at <= settings.as_of_at;

-- ------------------------------------------------------------------ stock KPIs: churn, active users
-- customer activity spans: subscriptions, else 90 days after each completed order, merged
create or replace temp table spans as
with subscription_customers as (
    select distinct customer_id from subscriptions, settings where started_at <= settings.as_of_at
),
intervals as (
    select customer_id, subscription_id as interval_id, 'subscription' as basis, started_at as s,
        coalesce(ended_at, timestamp '2999-12-31 00:00:00') as e, cancel_reason
    from subscriptions, settings
    where started_at <= settings.as_of_at and (ended_at is null or ended_at > started_at)
    union all
    select orders.customer_id, orders.order_id, 'order', orders.ordered_at,
        orders.ordered_at + interval ${churn_days} day, null
    from orders
    cross join settings
    anti join subscription_customers on orders.customer_id = subscription_customers.customer_id
    where orders.status = 'completed' and orders.ordered_at <= settings.as_of_at
),
islands as (
    select *, sum(case when prev_end is null or s > prev_end then 1 else 0 end) over (
            partition by customer_id order by s, e, interval_id rows unbounded preceding) as island
    from (
        select *, max(e) over (
                partition by customer_id order by s, e, interval_id
                rows between unbounded preceding and 1 preceding) as prev_end
        from intervals
    )
),
merged as (
    select customer_id, island, basis, min(s) as span_start, max(e) as span_end_raw
    from islands group by customer_id, island, basis
),
closing as (
    select islands.customer_id, islands.island, islands.cancel_reason
    from islands
    join merged on islands.customer_id = merged.customer_id and islands.island = merged.island
        and islands.e = merged.span_end_raw
    qualify row_number() over (partition by islands.customer_id, islands.island
        order by islands.cancel_reason is null, islands.s desc, islands.interval_id desc) = 1
)
select merged.customer_id, merged.span_start,
    case when merged.span_end_raw < timestamp '2999-12-31 00:00:00' then merged.span_end_raw end as span_end,
    case when merged.span_end_raw <= settings.as_of_at and merged.basis = 'subscription'
        then closing.cancel_reason end as churn_reason
from merged
cross join settings
left join closing on merged.customer_id = closing.customer_id and merged.island = closing.island;

create or replace temp table churn_inputs as
with per_customer as (
    select p.period_grain, p.period_start, spans.customer_id,
        bool_or(spans.span_start < cast(p.period_start as timestamp)
            and (spans.span_end is null or spans.span_end >= cast(p.period_start as timestamp))) as at_start,
        bool_or(spans.span_start < p.end_instant
            and (spans.span_end is null or spans.span_end >= p.end_instant)) as at_end,
        max(case
            when spans.span_start < cast(p.period_start as timestamp)
                and (spans.span_end is null or spans.span_end >= cast(p.period_start as timestamp))
                and not (spans.span_start < p.end_instant
                    and (spans.span_end is null or spans.span_end >= p.end_instant))
                then spans.churn_reason
        end) as ended_reason
    from periods as p
    join spans
        on spans.span_start <= p.end_instant
        and (spans.span_end is null or spans.span_end >= cast(p.period_start as timestamp))
    group by all
)
select pc.period_grain, pc.period_start,
    case when not pc.at_end then 1.0 else 0.0 end as numerator, 1.0 as denominator,
    case when not pc.at_end then pc.ended_reason end as reason,
    cb.user_id, cb.team, cb.segment, cb.region, cb.acquisition_channel
from per_customer as pc
left join customer_breakdowns as cb on pc.customer_id = cb.customer_id
where pc.at_start;

create or replace temp table active_user_inputs as
with first_use as (
    select user_id, min(used_at) as first_used_at
    from (
        select user_id, occurred_at as used_at from activities where occurred_at is not null
        union all
        select user_id, occurred_at from usage_events
    )
    group by user_id
),
licences as (
    select users.user_id, users.team, coalesce(users.licensed_from, first_use.first_used_at) as licensed_from,
        users.licensed_to
    from users left join first_use on users.user_id = first_use.user_id
),
licensed as (
    select p.period_grain, p.period_start, p.period_end, licences.user_id, licences.team
    from periods as p
    join licences
        on licences.licensed_from < p.end_instant
        and (licences.licensed_to is null or licences.licensed_to >= cast(p.period_start as timestamp))
),
-- usage per user and month; a quarter, year or all_time is used when one of its months is
used_months as (
    select distinct usage_events.user_id, cast(date_trunc('month', usage_events.occurred_at) as date) as month_start
    from usage_events, settings
    where usage_events.occurred_at <= settings.as_of_at
)
select licensed.period_grain, licensed.period_start,
    case when exists (
        select 1 from used_months
        where used_months.user_id = licensed.user_id
            and used_months.month_start >= licensed.period_start
            and used_months.month_start < licensed.period_end
    ) then 1.0 else 0.0 end as numerator,
    1.0 as denominator, licensed.team
from licensed;

-- ------------------------------------------------------------------ aggregation to the long shape
create or replace temp table long_rows as
-- event KPIs: overall and one group per breakdown value
with breakdowns(kpi_id, breakdown) as (
    select * from (values
        ('revenue', 'user_id'), ('revenue', 'team'), ('revenue', 'segment'), ('revenue', 'region'),
        ('revenue', 'acquisition_channel'),
        ('win_rate', 'user_id'), ('win_rate', 'team'), ('win_rate', 'segment'), ('win_rate', 'region'),
        ('win_rate', 'acquisition_channel'),
        ('average_deal_size', 'user_id'), ('average_deal_size', 'team'), ('average_deal_size', 'segment'),
        ('average_deal_size', 'region'), ('average_deal_size', 'acquisition_channel'),
        ('sales_cycle_days', 'user_id'), ('sales_cycle_days', 'team'), ('sales_cycle_days', 'segment'),
        ('sales_cycle_days', 'region'), ('sales_cycle_days', 'acquisition_channel'),
        ('lead_conversion_rate', 'user_id'), ('lead_conversion_rate', 'team'),
        ('lead_conversion_rate', 'acquisition_channel'), ('lead_conversion_rate', 'campaign_id'),
        ('first_response_hours', 'user_id'), ('first_response_hours', 'team'),
        ('first_response_hours', 'segment'), ('first_response_hours', 'region'),
        ('first_response_hours', 'acquisition_channel'),
        ('resolution_hours', 'user_id'), ('resolution_hours', 'team'), ('resolution_hours', 'segment'),
        ('resolution_hours', 'region'), ('resolution_hours', 'acquisition_channel'),
        ('nps', 'user_id'), ('nps', 'team'), ('nps', 'segment'), ('nps', 'region'),
        ('nps', 'acquisition_channel')
    )
),
labelled as (
    select f.kpi_id, f.period_grain, f.period_start, 'overall' as breakdown, null::varchar as breakdown_value,
        f.measure, f.numerator, f.denominator
    from placed_facts as f
    union all
    select f.kpi_id, f.period_grain, f.period_start, b.breakdown,
        coalesce(case b.breakdown
            when 'user_id' then f.user_id when 'team' then f.team when 'segment' then f.segment
            when 'region' then f.region when 'acquisition_channel' then f.acquisition_channel
            else f.campaign_id end, '(none)'),
        f.measure, f.numerator, f.denominator
    from placed_facts as f
    join breakdowns as b on f.kpi_id = b.kpi_id
),
stock as (
    select 'churn_rate' as kpi_id, period_grain, period_start, 'overall' as breakdown,
        null::varchar as breakdown_value, numerator, denominator
    from churn_inputs
    union all
    select 'churn_rate', c.period_grain, c.period_start, b.breakdown,
        coalesce(case b.breakdown
            when 'user_id' then c.user_id when 'team' then c.team when 'segment' then c.segment
            when 'region' then c.region else c.acquisition_channel end, '(none)'),
        c.numerator, c.denominator
    from churn_inputs as c
    cross join (values ('user_id'), ('team'), ('segment'), ('region'), ('acquisition_channel')) as b(breakdown)
    union all
    select 'active_user_rate', period_grain, period_start, 'overall', null, numerator, denominator
    from active_user_inputs
    union all
    select 'active_user_rate', period_grain, period_start, 'team', coalesce(team, '(none)'), numerator, denominator
    from active_user_inputs
)
select kpi_id, period_grain, period_start, breakdown, breakdown_value,
    case when kpi_id = 'revenue' then null
        else cast(sum(cast(coalesce(numerator, measure) as decimal(38, 10))) as double) end as numerator,
    case when kpi_id = 'revenue' then null
        when kpi_id in ('win_rate', 'lead_conversion_rate', 'nps') then cast(sum(denominator) as double)
        else cast(count(measure) as double) end as denominator,
    case when kpi_id = 'revenue' then cast(sum(cast(measure as decimal(38, 10))) as double) end as total
from labelled
group by kpi_id, period_grain, period_start, breakdown, breakdown_value
union all
select kpi_id, period_grain, period_start, breakdown, breakdown_value,
    cast(sum(numerator) as double), cast(sum(denominator) as double), null
from stock
group by kpi_id, period_grain, period_start, breakdown, breakdown_value
union all
-- churn by reason: the lost customers with the reason over all customers active at the start
select 'churn_rate', parts.period_grain, parts.period_start, 'reason', parts.reason, parts.lost, totals.s, null
from (
    select period_grain, period_start, coalesce(reason, '(none)') as reason, cast(sum(numerator) as double) as lost
    from churn_inputs where numerator = 1
    group by all
) as parts
join (
    select period_grain, period_start, cast(sum(denominator) as double) as s from churn_inputs group by all
) as totals using (period_grain, period_start);

-- ------------------------------------------------------------------ every reported period, the output
create or replace temp table reference_kpis as
with kpis(kpi_id, kpi_version, scale) as (
    select * from (values
        ('revenue', 1, 1.0), ('win_rate', 1, 1.0), ('average_deal_size', 1, 1.0), ('sales_cycle_days', 1, 1.0),
        ('lead_conversion_rate', 1, 1.0), ('first_response_hours', 1, 1.0), ('resolution_hours', 1, 1.0),
        ('churn_rate', 1, 1.0), ('active_user_rate', 1, 1.0), ('nps', 1, 100.0)
    )
),
availability as (
    select
        (select count(*) from survey_responses where survey_type = 'nps') > 0 as has_nps,
        (select count(*) from usage_events) > 0 as has_usage
),
filled as (
    select kpis.kpi_id, kpis.kpi_version, kpis.scale, p.period_grain, p.period_start, p.is_complete,
        'overall' as breakdown, null::varchar as breakdown_value,
        l.numerator, l.denominator,
        case when kpis.kpi_id = 'revenue' then coalesce(l.total, 0) end as total
    from kpis
    cross join periods as p
    left join long_rows as l
        on l.kpi_id = kpis.kpi_id and l.period_grain = p.period_grain and l.period_start = p.period_start
        and l.breakdown = 'overall'
    union all
    select kpis.kpi_id, kpis.kpi_version, kpis.scale, p.period_grain, p.period_start, p.is_complete,
        l.breakdown, l.breakdown_value, l.numerator, l.denominator, l.total
    from long_rows as l
    join kpis on l.kpi_id = kpis.kpi_id
    join periods as p on l.period_grain = p.period_grain and l.period_start = p.period_start
    where l.breakdown <> 'overall'
)
select kpi_id, kpi_version, period_grain, period_start, breakdown, breakdown_value,
    case when not is_available then null
        when kpi_id = 'revenue' then total
        else numerator / nullif(denominator, 0) * scale end as value,
    case when is_available then numerator end as numerator,
    case when is_available then denominator end as denominator,
    is_available, is_complete as is_period_complete
from (
    select filled.*,
        case filled.kpi_id when 'nps' then availability.has_nps
            when 'active_user_rate' then availability.has_usage else true end as is_available
    from filled cross join availability
);
