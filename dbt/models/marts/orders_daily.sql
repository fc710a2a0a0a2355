{{ config(sort='order_date') }}

-- Daily order analytics, one row per order_date, from every order's latest version.
-- A table, rebuilt from orders on every run: a rerun of a load day can remove or restore orders
-- of any order_date, so patching the changed days would need what orders no longer holds; one
-- row per day is cheap to recompute.

with orders as (

    select * from {{ ref('orders') }}

),

daily as (

    select
        orders.order_date,
        count(*) as order_count,
        count(distinct orders.customer_id) as customer_count,
        sum(orders.item_count) as item_count,
        sum(orders.order_total) as order_total_sum,
        avg(orders.order_total) as order_total_avg,
        min(orders.order_total) as order_total_min,
        max(orders.order_total) as order_total_max,
        count(case when orders.order_status = 'pending' then 1 end) as pending_count,
        count(case when orders.order_status = 'confirmed' then 1 end) as confirmed_count,
        count(case when orders.order_status = 'shipped' then 1 end) as shipped_count,
        count(case when orders.order_status = 'delivered' then 1 end) as delivered_count,
        count(case when orders.order_status = 'cancelled' then 1 end) as cancelled_count

    from orders
    group by orders.order_date

),

final as (

    select
        order_date,
        cast(order_count as bigint) as order_count,
        cast(customer_count as bigint) as customer_count,
        cast(item_count as bigint) as item_count,
        cast(order_total_sum as numeric(18, 2)) as order_total_sum,
        cast(round(order_total_avg, 2) as numeric(12, 2)) as order_total_avg,
        cast(order_total_min as numeric(12, 2)) as order_total_min,
        cast(order_total_max as numeric(12, 2)) as order_total_max,
        cast(pending_count as bigint) as pending_count,
        cast(confirmed_count as bigint) as confirmed_count,
        cast(shipped_count as bigint) as shipped_count,
        cast(delivered_count as bigint) as delivered_count,
        cast(cancelled_count as bigint) as cancelled_count

    from daily

)

select * from final
