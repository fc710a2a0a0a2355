{#-
    The partitions an incremental run processes (first builds and full refreshes read them all).

    With var('run_date') (the DAG passes its data interval's day), a run processes the partitions
    from run_date minus var('lookback_days') to run_date, so rerunning a day reprocesses exactly
    that day. Without it, a run processes every partition (a catch-up that is still correct,
    because the incremental models merge by key).
-#}
{% macro run_window_predicate(partition_column) -%}
    {%- set run_date = var('run_date', none) -%}
    {%- if run_date is none or run_date == '' -%}
        1 = 1
    {%- else -%}
        {%- set end_day = dataops_parse_run_date(run_date) -%}
        {%- set lookback = dataops_parse_lookback_days(var('lookback_days', 0)) -%}
        {%- set start_day = (end_day - modules.datetime.timedelta(days=lookback)).isoformat() -%}
        {{ partition_column }} between cast('{{ start_day }}' as date) and cast('{{ end_day.isoformat() }}' as date)
    {%- endif -%}
{%- endmacro %}


{% macro dataops_parse_run_date(run_date) -%}
    {%- set text = run_date | string | trim -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {{ exceptions.raise_compiler_error(
            "error: var run_date is " ~ (run_date | string | tojson) ~ ", not a day: pass it as YYYY-MM-DD, e.g. --vars '{run_date: 2026-11-23}'"
        ) }}
    {%- endif -%}
    {{- return(modules.datetime.date.fromisoformat(text)) -}}
{%- endmacro %}


{% macro dataops_parse_lookback_days(lookback_days) -%}
    {%- set text = lookback_days | string | trim -%}
    {%- if not modules.re.match('^[0-9]{1,3}$', text) -%}
        {{ exceptions.raise_compiler_error(
            "error: var lookback_days is " ~ (lookback_days | string | tojson) ~ ": pass a whole number of days from 0 to 999, e.g. --vars '{lookback_days: 2}'"
        ) }}
    {%- endif -%}
    {{- return(text | int) -}}
{%- endmacro %}


{#-
    The customers whose first version was loaded in the run's window: the held orders they
    release (orders loaded before their customer arrived) are processed by the run as well.
-#}
{% macro customers_first_loaded_in_run_window() -%}
    select customer_id
    from {{ ref('stg_customers') }}
    group by customer_id
    having {{ run_window_predicate('min(partition_date)') }}
{%- endmacro %}
