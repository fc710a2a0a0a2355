variable "name_prefix" {
  description = "Prefix of every resource name, dataops-<environment>."
  type        = string
}

variable "environment" {
  description = "dev, staging or prod; passed to the job as --ENV."
  type        = string
}

variable "aws_region" {
  description = "Region of the catalog and the job."
  type        = string
}

variable "job_name" {
  description = "Glue job name; include/config/<env>.yaml glue.job_name names the same job."
  type        = string
}

variable "database_name" {
  description = "Glue catalog database of the curated zone."
  type        = string
}

variable "bucket_names" {
  description = "Bucket name per lake zone, from the data_lake module."
  type        = map(string)
}

variable "curated_datasets" {
  description = "Top-level folders of the curated zone the crawler registers."
  type        = list(string)
}

variable "number_of_workers" {
  description = "G.1X workers per run."
  type        = number
}

variable "timeout_minutes" {
  description = "Minutes before a run is stopped as TIMEOUT."
  type        = number
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the pipeline's own metrics."
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

variable "openlineage_transport" {
  description = "The OpenLineage transport JSON the job sends its lineage to: MWAA's openlineage.transport."
  type        = string
}
