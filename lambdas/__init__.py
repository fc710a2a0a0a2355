"""AWS Lambda functions that watch the pipeline from outside Airflow; Terraform packages each."""
