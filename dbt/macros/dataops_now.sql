{#-
    "Now" for freshness checks, as a timestamp (UTC, no time zone).

    With var('as_of') (the DAG passes its data interval end), a rerun or a backfill judges
    freshness exactly as the original run did; without it, the warehouse clock is used.
-#}
{% macro dataops_now() -%}
    {%- set as_of = var('as_of', none) -%}
    {%- if as_of is none or as_of == '' -%}
        cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast('{{ dataops_parse_as_of(as_of) }}' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}


{#- The as_of var as 'YYYY-MM-DD HH:MM:SS' in UTC; offsets are converted, naive values are UTC. -#}
{% macro dataops_parse_as_of(as_of) -%}
    {%- set text = as_of | string | trim -%}
    {%- if text.endswith('Z') -%}
        {%- set text = text[:-1] ~ '+00:00' -%}
    {%- endif -%}
    {%- set parsed = none -%}
    {%- if modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?([+-][0-9]{2}:?[0-9]{2})?)?$', text) -%}
        {%- set parsed = modules.datetime.datetime.fromisoformat(text) -%}
    {%- endif -%}
    {%- if parsed is none -%}
        {{ exceptions.raise_compiler_error(
            "error: var as_of is " ~ (as_of | string | tojson) ~ ", not an ISO-8601 timestamp: pass e.g. --vars '{as_of: \"2026-11-24T00:00:00+00:00\"}'"
        ) }}
    {%- endif -%}
    {%- if parsed.tzinfo is not none -%}
        {%- set parsed = parsed.astimezone(modules.pytz.utc) -%}
    {%- endif -%}
    {{- parsed.strftime('%Y-%m-%d %H:%M:%S') -}}
{%- endmacro %}
