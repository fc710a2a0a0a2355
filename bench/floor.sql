-- The floor for `make bench-pipeline`: raw JSON lines -> orders_daily (count, sum) in one DuckDB query.
-- Parameters: $orders and $customers (globs of the day's raw files), $run_date (YYYY-MM-DD).
-- It drops what the Glue job quarantines, as cheaply as DuckDB allows: unparsable lines, missing or
-- null fields, totals and item counts that are not JSON numbers or out of range, other currencies,
-- unknown statuses, orders created on another day and orders of unknown customers; then keeps each
-- order's latest updated_at.
with orders as (
    select *
    from read_json(
        $orders,
        format = 'newline_delimited',
        ignore_errors = true,
        columns = {
            order_id: 'varchar', customer_id: 'varchar', order_total: 'json', currency: 'varchar',
            order_status: 'varchar', item_count: 'json', created_at: 'timestamp', updated_at: 'timestamp'
        }
    )
),

customers as (
    select distinct customer_id
    from read_json(
        $customers, format = 'newline_delimited', ignore_errors = true, columns = {customer_id: 'varchar'}
    )
    where customer_id is not null
),

valid as (
    select
        o.order_id,
        try_cast(o.order_total as double) as order_total,
        o.created_at,
        o.updated_at
    from orders as o
    semi join customers as c on o.customer_id = c.customer_id
    where
        o.order_id is not null
        and json_type(o.order_total) in ('DOUBLE', 'UBIGINT', 'BIGINT')
        and json_type(o.item_count) in ('UBIGINT', 'BIGINT')
        and try_cast(o.order_total as double) between 0 and 1000000
        and try_cast(o.item_count as integer) between 1 and 10000
        and o.currency = 'CAD'
        and o.order_status in ('pending', 'confirmed', 'shipped', 'delivered', 'cancelled')
        and o.created_at::date = $run_date::date
        and o.updated_at is not null
),

latest as (
    select * from valid
    qualify row_number() over (partition by order_id order by updated_at desc) = 1
)

select
    created_at::date as order_date,
    count(*) as order_count,
    sum(order_total)::decimal(18, 2) as order_total_sum
from latest
group by 1
order by 1
