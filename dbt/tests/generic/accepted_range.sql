{#-
    Our own copy of dbt_utils.accepted_range: the dbt hub is unreachable from where this project
    is built, so `dbt deps` cannot fetch dbt_utils. The arguments are the same (min_value,
    max_value, inclusive; `where` is dbt's own test config), so switching to dbt_utils later is a
    rename in the YAML: accepted_range -> dbt_utils.accepted_range.

    Fails on every row whose value is outside the range. Nulls are not judged: pair with not_null.
-#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error(
        "error: accepted_range on " ~ model ~ "." ~ column_name ~ " has neither min_value nor max_value: give at least one"
    ) }}
{%- endif %}

with validation_errors as (

    select *
    from {{ model }}
    where
        1 = 2
        {%- if min_value is not none %}
            or not ({{ column_name }} >{{ '=' if inclusive }} {{ min_value }})
        {%- endif %}
        {%- if max_value is not none %}
            or not ({{ column_name }} <{{ '=' if inclusive }} {{ max_value }})
        {%- endif %}

)

select * from validation_errors

{% endtest %}
