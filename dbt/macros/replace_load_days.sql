{#-
    Incremental strategy `replace_load_days`: an incremental run replaces exactly the load days of
    its run window, so rerunning a day after a bad load leaves what a clean run would have.

    dbt's delete+insert deletes only the keys of the new batch: a rerun kept the bad load's rows
    whose keys the corrected load no longer has. This deletes every row loaded from a day of the
    run window (config `load_day_column`, matched by run_window_predicate) and every row whose key
    the batch replaces, then inserts the batch, in the model's one transaction. The model works
    out the batch (see models/marts/orders.sql); without run_date the window is every load day.
-#}
{% macro get_incremental_replace_load_days_sql(arg_dict) -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where
        {{ unique_key }} in (select {{ unique_key }} from {{ arg_dict['temp_relation'] }})
        or {{ run_window_predicate(config.require('load_day_column')) }};

    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}


{#-
    Whether `relation` already holds rows loaded from a day of the run window: a rerun. Only then
    does orders read other load days (for the orders a rerun drops), so a nightly run of a new day
    never scans the curated history. True at parse time, so the manifest shows the whole SQL.
-#}
{% macro run_window_was_loaded(relation, load_day_column) -%}
    {%- if not execute -%}
        {{- return(true) -}}
    {%- endif -%}
    {%- set loaded = run_query(
        'select count(*) from ' ~ relation ~ ' where ' ~ run_window_predicate(load_day_column)
    ) -%}
    {{- return(loaded.columns[0].values()[0] > 0) -}}
{%- endmacro %}
