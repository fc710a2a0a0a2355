"""dbt build tooling: the Redshift compile-and-parse check and the fixture data for `make dbt-test`."""
