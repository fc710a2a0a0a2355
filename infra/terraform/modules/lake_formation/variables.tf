variable "name_prefix" {
  description = "Prefix of every resource name, dataops-<environment>."
  type        = string
}

variable "admin_arns" {
  description = "Lake Formation administrators: the deployment role (it applies this) and any data stewards."
  type        = list(string)
}

variable "database_name" {
  description = "Catalog database of the curated zone."
  type        = string
}

variable "curated_bucket_arn" {
  description = "Bucket of the curated zone, registered with Lake Formation."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed key of the environment."
  type        = string
}

variable "glue_job_role_arn" {
  description = "Role of the orders_transform job."
  type        = string
}

variable "glue_crawler_role_arn" {
  description = "Role of the curated-zone crawler."
  type        = string
}

variable "redshift_spectrum_role_arn" {
  description = "Role of the Redshift Spectrum external schema."
  type        = string
}

variable "mwaa_execution_role_arn" {
  description = "Execution role of the MWAA environment."
  type        = string
}

variable "tags" {
  description = "Environment, Team and CostCenter tags."
  type        = map(string)
}
