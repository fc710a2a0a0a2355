"""The Airflow integration: default args and callbacks, the Glue and GX operator factories, Cosmos."""
