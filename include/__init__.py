"""What MWAA runs besides the DAG files: per-environment config and the dataops package."""
