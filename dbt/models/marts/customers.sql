-- One row per customer (latest version) with lifetime order statistics from orders.
-- Customers without orders are kept, with zero counts.

with customers as (

    select * from {{ ref('int_customers_deduplicated') }}

),

orders as (

    select * from {{ ref('orders') }}

),

customer_orders as (

    select
        customer_id,
        count(*) as order_count,
        count(case when order_status = 'cancelled' then 1 end) as cancelled_order_count,
        sum(case when order_status <> 'cancelled' then order_total else 0 end) as lifetime_value,
        min(created_at) as first_ordered_at,
        max(created_at) as most_recent_ordered_at

    from orders
    group by customer_id

),

final as (

    select
        customers.customer_id,
        customers.customer_name,
        customers.email,
        customers.country_code,
        customers.signed_up_at,
        cast(coalesce(customer_orders.order_count, 0) as bigint) as order_count,
        cast(coalesce(customer_orders.cancelled_order_count, 0) as bigint) as cancelled_order_count,
        cast(coalesce(customer_orders.lifetime_value, 0) as numeric(18, 2)) as lifetime_value,
        customer_orders.first_ordered_at,
        customer_orders.most_recent_ordered_at,
        case
            when customer_orders.order_count > 1 then 'returning'
            when customer_orders.order_count = 1 then 'new'
            else 'prospect'
        end as customer_type

    from customers
    left join customer_orders
        on customers.customer_id = customer_orders.customer_id

)

select * from final
