{#-
    Survey responses (NPS 0-10, CSAT 1-5). The customer is the response's, else its ticket's.
    Breakdown attributes: user_id = the ticket's assigned user, else the customer's owner, and that
    user's team; segment, region, acquisition_channel of the customer.
-#}
with

responses as (
    select * from {{ ref('stg_crm__survey_responses') }}
),

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

users as (
    select * from {{ ref('int_user_licences') }}
),

customer_breakdowns as (
    select * from {{ ref('int_customer_breakdowns') }}
),

with_customer as (
    select
        responses.*,
        coalesce(responses.customer_id, tickets.customer_id) as effective_customer_id,
        tickets.assigned_user_id as ticket_user_id
    from responses
    left join tickets
        on responses.ticket_id = tickets.ticket_id
),

with_user as (
    select
        with_customer.*,
        coalesce(with_customer.ticket_user_id, customer_breakdowns.user_id) as responsible_user_id,
        customer_breakdowns.customer_id as known_customer_id,
        customer_breakdowns.segment,
        customer_breakdowns.region,
        customer_breakdowns.acquisition_channel
    from with_customer
    left join customer_breakdowns
        on with_customer.effective_customer_id = customer_breakdowns.customer_id
),

final as (
    select
        -- keys
        with_user.response_id,
        with_user.effective_customer_id as customer_id,
        with_user.ticket_id,
        -- attributes
        with_user.survey_type,
        with_user.score,
        -- flags
        with_user.survey_type = 'nps' and with_user.score >= 9 as is_promoter,
        with_user.survey_type = 'nps' and with_user.score <= 6 as is_detractor,
        with_user.survey_type = 'csat' and with_user.score >= 4 as is_satisfied,
        with_user.known_customer_id is not null as has_known_customer,
        -- timestamps
        with_user.responded_at,
        -- breakdown attributes
        with_user.responsible_user_id as user_id,
        users.team,
        with_user.segment,
        with_user.region,
        with_user.acquisition_channel
    from with_user
    left join users
        on with_user.responsible_user_id = users.user_id
)

select * from final
