-- One row per customer: the latest version across every load day (latest updated_at wins,
-- then the latest load day, so the choice is the same on every run).

with customers as (

    select * from {{ ref('stg_customers') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by customer_id
            order by updated_at desc, partition_date desc, source_line desc
        ) as version_rank

    from customers

),

latest as (

    select
        customer_id,
        customer_name,
        email,
        country_code,
        signed_up_at,
        updated_at,
        partition_date

    from ranked
    where version_rank = 1

)

select * from latest
