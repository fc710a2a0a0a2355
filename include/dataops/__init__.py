"""The orders runtime: settings, warehouse, pipeline steps, Airflow integration, GX, observability."""
