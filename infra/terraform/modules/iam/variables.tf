variable "name_prefix" {
  description = "Prefix of every resource name, dataops-<environment>."
  type        = string
}

variable "environment" {
  description = "dev, staging or prod: the GitHub environment allowed to assume the deployment role."
  type        = string
}

variable "aws_region" {
  description = "Region of the project's resources."
  type        = string
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose workflows deploy."
  type        = string
}

variable "state_bucket" {
  description = "Bucket of the Terraform state (created once, outside this configuration)."
  type        = string
}

variable "state_key_prefix" {
  description = "Key prefix of this environment's state in the state bucket."
  type        = string
}

variable "metrics_namespace" {
  description = "The pipeline's CloudWatch namespace, where the deploy tool sends the DORA metrics."
  type        = string
}

variable "glue_job_name" {
  description = "The orders_transform job."
  type        = string
}

variable "glue_database_name" {
  description = "Catalog database of the curated zone."
  type        = string
}

variable "artifacts_bucket" {
  description = "Bucket of dbt artifacts, GX results, Data Docs and the deployment log."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed key of the environment."
  type        = string
}

variable "human_principal_arns" {
  description = "IAM principals (SSO roles, users) of the people who may assume the human roles."
  type        = list(string)
}

variable "human_access_level" {
  description = "read_only (prod), or operator: people may also rerun the job and operate Airflow."
  type        = string
}

variable "tags" {
  description = "Environment, Team and CostCenter tags."
  type        = map(string)
}
