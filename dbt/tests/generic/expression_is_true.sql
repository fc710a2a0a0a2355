{#-
    Our own copy of dbt_utils.expression_is_true: the dbt hub is unreachable from where this
    project is built, so `dbt deps` cannot fetch dbt_utils. The arguments are the same
    (expression, and column_name when applied to a column), so switching to dbt_utils later is a
    rename in the YAML: expression_is_true -> dbt_utils.expression_is_true.

    Fails on every row where the expression is false; as in dbt_utils, null is not judged.
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
{%- if column_name is none %}
where not ({{ expression }})
{%- else %}
where not ({{ column_name }} {{ expression }})
{%- endif %}

{% endtest %}
