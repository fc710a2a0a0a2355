{{
    config(
        materialized='incremental',
        unique_key='order_date',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        sort='order_date'
    )
}}

-- Daily order analytics, one row per order_date, from every order's latest version.
-- Incremental: a run recomputes, from the whole of orders, each day that has an order loaded
-- in the run's window or released by it (a held order whose customer arrived), and replaces
-- those days; rerunning a day gives the same rows.
-- depends_on: {{ ref('stg_customers') }}

with orders as (

    select * from {{ ref('orders') }}

),

{% if is_incremental() %}

changed_days as (

    select distinct order_date
    from orders
    where
        {{ run_window_predicate('source_partition_date') }}
        or customer_id in ({{ customers_first_loaded_in_run_window() }})

),

{% endif %}

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
    {% if is_incremental() %}
        inner join changed_days
            on orders.order_date = changed_days.order_date
    {% endif %}
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
