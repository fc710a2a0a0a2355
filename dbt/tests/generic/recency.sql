{#-
    Our own copy of dbt_utils.recency: the dbt hub is unreachable from where this project is
    built, so `dbt deps` cannot fetch dbt_utils. The arguments are the same (datepart, field,
    interval, ignore_time_component, group_by_columns), so switching to dbt_utils later is a
    rename in the YAML: recency -> dbt_utils.recency.

    One difference, on purpose: "now" is dataops_now(), which is var('as_of') when the DAG passes
    it, so a rerun or backfill judges freshness as the original run did. An empty table fails
    (nothing recent is not fresh).
-#}
{% test recency(model, field, datepart, interval, ignore_time_component=false, group_by_columns=[]) %}

{%- set threshold_type = 'date' if ignore_time_component else dbt.type_timestamp() -%}
{%- set threshold = 'cast(' ~ dbt.dateadd(datepart, interval * -1, dataops_now()) ~ ' as ' ~ threshold_type ~ ')' -%}

{%- if group_by_columns | length > 0 -%}
    {%- set select_gb_cols = group_by_columns | join(', ') ~ ', ' -%}
    {%- set groupby_gb_cols = 'group by ' ~ group_by_columns | join(', ') -%}
{%- else -%}
    {%- set select_gb_cols = '' -%}
    {%- set groupby_gb_cols = '' -%}
{%- endif %}

with recency as (

    select
        {{ select_gb_cols }}
        {%- if ignore_time_component %}
            cast(max({{ field }}) as date) as most_recent
        {%- else %}
            max({{ field }}) as most_recent
        {%- endif %}
    from {{ model }}
    {{ groupby_gb_cols }}

),

overall as (

    select count(*) as row_count from {{ model }}

)

select
    {{ select_gb_cols }}
    recency.most_recent,
    {{ threshold }} as threshold
from overall
left join recency on 1 = 1
where
    overall.row_count = 0
    or recency.most_recent is null
    or recency.most_recent < {{ threshold }}

{% endtest %}
