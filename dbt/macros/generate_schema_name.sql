{#-
    Where every model is built. With var('audit_schema') (the DAG passes the run's audit schema),
    every model of the run goes there, on DuckDB and Redshift alike; the publish task then moves
    the marts into the consumer schema in one transaction, after the quality gate passed.
    Without it (dbt run by hand, make dbt-test on a throwaway DuckDB), dbt's default applies:
    the target's schema, suffixed by a model's custom schema if it has one.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set audit_schema = var('audit_schema', none) -%}
    {%- if audit_schema -%}
        {{ audit_schema | trim }}
    {%- elif custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ target.schema | trim }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
