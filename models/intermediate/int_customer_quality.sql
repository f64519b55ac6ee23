{#-
    Data quality of the customer records, without personal data in clear:
      email_hash / phone_hash: keyed hashes of the normalised e-mail (lower-cased) and phone (digits);
      is_profile_complete: e-mail or phone, industry, segment and owner all filled;
      is_duplicate: the record shares a normalised e-mail or phone with an OLDER record
        (earlier created_at; on a tie, the smaller customer_id is the older).
-#}
with

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

ranked as (
    select
        customers.*,
        case
            when customers.email is not null
                then row_number() over (
                    partition by customers.email
                    order by customers.created_at, customers.customer_id
                )
        end as email_rank,
        case
            when customers.phone_normalised is not null
                then row_number() over (
                    partition by customers.phone_normalised
                    order by customers.created_at, customers.customer_id
                )
        end as phone_rank
    from customers
),

final as (
    select
        -- key
        ranked.customer_id,
        -- hashed contact data
        {{ pii_hash('ranked.email') }} as email_hash,
        {{ pii_hash('ranked.phone_normalised') }} as phone_hash,
        -- flags
        ranked.email is not null as has_email,
        ranked.phone_normalised is not null as has_phone,
        ranked.is_email_valid,
        (ranked.email is not null or ranked.phone_normalised is not null)
        and ranked.industry is not null
        and ranked.segment is not null
        and ranked.owner_user_id is not null as is_profile_complete,
        coalesce(ranked.email_rank > 1, false) or coalesce(ranked.phone_rank > 1, false) as is_duplicate,
        coalesce(ranked.email_rank > 1, false) as is_duplicate_email,
        coalesce(ranked.phone_rank > 1, false) as is_duplicate_phone
    from ranked
)

select * from final
