with source as (

    select * from {{ source('curated', 'customers') }}

),

renamed as (

    select
        customer_id,
        customer_name,
        email,
        country as country_code,
        cast(signup_at as {{ dbt.type_timestamp() }}) as signed_up_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        _source_file as source_file,
        cast(_source_line as bigint) as source_line,
        cast(dt as date) as partition_date

    from source

)

select * from renamed
