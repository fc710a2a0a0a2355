variable "name_prefix" {
  description = "Prefix of every resource name, dataops-<environment>; also the Redshift workgroup or cluster name."
  type        = string
}

variable "environment" {
  description = "dev, staging or prod: the run history prefix the incidents go under."
  type        = string
}

variable "aws_region" {
  description = "Region of the warehouse."
  type        = string
}

variable "aws_account_id" {
  description = "Account of the warehouse."
  type        = string
}

variable "redshift_deployment" {
  description = "serverless or provisioned: which Data API target the function names."
  type        = string
}

variable "redshift_database" {
  description = "Database holding the marts."
  type        = string
}

variable "warehouse_schema" {
  description = "Schema of the marts; settings warehouse.schema names the same."
  type        = string
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of DataFreshness; settings cloudwatch.namespace names the same."
  type        = string
}

variable "artifacts_bucket" {
  description = "Bucket of the run history (runs/history/<env>/), where stale tables open incidents."
  type        = string
}

variable "freshness_schedule_minutes" {
  description = "How often the function runs; the freshness alarms use it as their period."
  type        = number
}

variable "kms_key_arn" {
  description = "Customer-managed key for the function's environment, logs and the bucket."
  type        = string
}

variable "tags" {
  description = "Environment, Team and CostCenter tags."
  type        = map(string)
}
