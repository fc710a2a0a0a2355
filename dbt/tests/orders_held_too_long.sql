{{ config(severity='warn') }}

{#-
    Orders held for var('held_order_warn_days') days or more because their customer has not
    arrived (models/marts/orders.sql holds them): the customers feed is late or lost them. A
    warning, not an error: the marts stay correct, the orders are just not published yet.

    With var('run_date') (the DAG's runs), only the load day that reaches the age on run_date is
    checked, so a nightly run never scans the curated history; without it, every load day that
    old is.
-#}
{%- set warn_days = var('held_order_warn_days') | int -%}
{%- set run_date = var('run_date', none) -%}

with known_customers as (

    select distinct customer_id from {{ ref('stg_customers') }}

),

held as (

    select
        stg_orders.order_id,
        stg_orders.customer_id,
        stg_orders.partition_date

    from {{ ref('stg_orders') }} as stg_orders
    left join known_customers
        on stg_orders.customer_id = known_customers.customer_id
    where
        stg_orders.customer_id is not null
        and known_customers.customer_id is null
        {% if run_date is none or run_date == '' %}
            and stg_orders.partition_date
            <= cast({{ dbt.dateadd('day', -warn_days, dataops_now()) }} as date)
        {% else %}
            {%- set old_day = dataops_parse_run_date(run_date) - modules.datetime.timedelta(days=warn_days) %}
            and stg_orders.partition_date = cast('{{ old_day.isoformat() }}' as date)
        {% endif %}

)

select * from held
