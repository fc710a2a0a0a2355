"""The Airflow integration: default args and callbacks, the Glue operator, Cosmos, the platform check."""
