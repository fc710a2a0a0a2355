with source as (

    select * from {{ source('curated', 'orders') }}

),

renamed as (

    select
        order_id,
        customer_id,
        cast(order_total as numeric(12, 2)) as order_total,
        currency,
        order_status,
        cast(item_count as integer) as item_count,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        _source_file as source_file,
        cast(_source_line as bigint) as source_line,
        cast(dt as date) as partition_date

    from source

)

select * from renamed
