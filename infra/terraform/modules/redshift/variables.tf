variable "name_prefix" {
  description = "Prefix of every resource name, dataops-<environment>."
  type        = string
}

variable "aws_region" {
  description = "Region of the warehouse and the catalog."
  type        = string
}

variable "deployment" {
  description = "serverless (namespace + workgroup) or provisioned (cluster)."
  type        = string
}

variable "database_name" {
  description = "Database dbt builds into."
  type        = string
}

variable "admin_username" {
  description = "Admin user; its password is generated and stored in Secrets Manager by Redshift."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the warehouse."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the warehouse."
  type        = list(string)
}

variable "serverless_base_capacity" {
  description = "Base RPUs of the serverless workgroup."
  type        = number
}

variable "serverless_max_capacity" {
  description = "RPU ceiling of the serverless workgroup, a cost guard."
  type        = number
}

variable "node_type" {
  description = "Node type of the provisioned cluster."
  type        = string
}

variable "number_of_nodes" {
  description = "Nodes of the provisioned cluster."
  type        = number
}

variable "snapshot_retention_days" {
  description = "Days automated snapshots of the provisioned cluster are kept."
  type        = number
}

variable "curated_bucket" {
  description = "Bucket of the curated zone Spectrum reads."
  type        = string
}

variable "glue_database_name" {
  description = "Catalog database of the curated zone, the Spectrum external schema's source."
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

variable "connections_prefix" {
  description = "Secrets Manager prefix of Airflow connections (the MWAA secrets backend's)."
  type        = string
}

variable "connection_id" {
  description = "Airflow connection id of the warehouse (settings warehouse.conn_id)."
  type        = string
}

variable "spectrum_schema" {
  description = "Redshift external schema over the curated catalog database (dbt's curated sources)."
  type        = string
}
