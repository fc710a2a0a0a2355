variable "name" {
  description = "Environment name, dataops-<environment>."
  type        = string
}

variable "environment" {
  description = "dev, staging or prod: becomes the Airflow option dataops.environment."
  type        = string
}

variable "aws_region" {
  description = "Region of the environment."
  type        = string
}

variable "environment_class" {
  description = "MWAA environment class (mw1.micro ... mw1.2xlarge)."
  type        = string
}

variable "min_workers" {
  description = "Workers MWAA keeps running."
  type        = number
}

variable "max_workers" {
  description = "Workers MWAA may scale out to."
  type        = number
}

variable "source_bucket_arn" {
  description = "Bucket holding dags/ (with include/ and dbt/), plugins.zip, requirements.txt and startup.sh."
  type        = string
}

variable "plugins_s3_path" {
  description = "Key of plugins.zip in the source bucket."
  type        = string
}

variable "plugins_s3_object_version" {
  description = "S3 version of plugins.zip the deploy tool uploaded; null means the latest."
  type        = string
}

variable "requirements_s3_path" {
  description = "Key of requirements.txt in the source bucket."
  type        = string
}

variable "requirements_s3_object_version" {
  description = "S3 version of requirements.txt the deploy tool uploaded; null means the latest."
  type        = string
}

variable "startup_script_s3_path" {
  description = "Key of startup.sh in the source bucket."
  type        = string
}

variable "startup_script_s3_object_version" {
  description = "S3 version of startup.sh the deploy tool uploaded; null means the latest."
  type        = string
}

variable "weekly_maintenance_window_start" {
  description = "Start of MWAA's weekly maintenance window, DAY:HH:MM in UTC."
  type        = string
}

variable "subnet_ids" {
  description = "Two private subnets in different availability zones."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the environment."
  type        = list(string)
}

variable "log_level" {
  description = "Level of every Airflow log MWAA sends to CloudWatch."
  type        = string
}

variable "connections_prefix" {
  description = "Secrets Manager prefix of Airflow connections."
  type        = string
}

variable "variables_prefix" {
  description = "Secrets Manager prefix of Airflow variables."
  type        = string
}

variable "bucket_names" {
  description = "Bucket name per lake zone."
  type        = map(string)
}

variable "glue_job_arn" {
  description = "The orders_transform job the DAG starts."
  type        = string
}

variable "topic_names" {
  description = "The project's SNS topics (alerts, notifications) the DAGs publish to."
  type        = list(string)
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the pipeline's metrics."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed key of the environment."
  type        = string
}

variable "tags" {
  description = "Environment, Team and CostCenter tags."
  type        = map(string)
}

variable "glue_catalog_arns" {
  description = "Catalog, database and table ARNs of the curated zone (register_partitions)."
  type        = list(string)
}
