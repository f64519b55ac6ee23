-- The service-time distribution: how long tickets wait, before and after go-live.
--
-- Averages hide the long tail, so this counts tickets per resolution-time band (clock hours,
-- from fct_tickets) for tickets created before and after crm_go_live_date, with each band's
-- share of its window and the window's first-response and resolution percentiles (p50, p90).
-- Unresolved tickets form their own band.

with

tickets as (
    select
        resolution_hours,
        first_response_hours,
        case
            when created_at < cast('{{ var("crm_go_live_date") }}' as timestamp) then 'before go-live'
            else 'after go-live'
        end as go_live_window,
        case
            when resolution_hours is null then '6 unresolved'
            when resolution_hours < 4 then '1 under 4 h'
            when resolution_hours < 8 then '2 4 to 8 h'
            when resolution_hours < 24 then '3 8 to 24 h'
            when resolution_hours < 72 then '4 1 to 3 days'
            else '5 over 3 days'
        end as resolution_band
    from {{ ref('fct_tickets') }}
),

percentiles as (
    select
        go_live_window,
        quantile_cont(first_response_hours, 0.5) as first_response_p50,
        quantile_cont(first_response_hours, 0.9) as first_response_p90,
        quantile_cont(resolution_hours, 0.5) as resolution_p50,
        quantile_cont(resolution_hours, 0.9) as resolution_p90
    from tickets
    group by go_live_window
),

bands as (
    select
        go_live_window,
        resolution_band,
        count(*) as tickets
    from tickets
    group by go_live_window, resolution_band
)

select
    bands.go_live_window,
    bands.resolution_band,
    bands.tickets,
    percentiles.first_response_p50,
    percentiles.first_response_p90,
    percentiles.resolution_p50,
    percentiles.resolution_p90,
    bands.tickets / sum(bands.tickets) over (partition by bands.go_live_window) as share_of_window
from bands
inner join percentiles on bands.go_live_window = percentiles.go_live_window
order by bands.go_live_window desc, bands.resolution_band
