variable "name_prefix" {
  description = "Prefix of every bucket name, dataops-<environment>."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed key that encrypts every lake bucket."
  type        = string
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted object version is kept before it expires."
  type        = number
}

variable "temp_expiration_days" {
  description = "Days objects in the temp bucket live."
  type        = number
}

variable "quarantine_expiration_days" {
  description = "Days rejected records stay in the quarantine bucket."
  type        = number
}

variable "access_log_expiration_days" {
  description = "Days S3 server access logs are kept."
  type        = number
}

variable "tags" {
  description = "Environment, Team and CostCenter tags."
  type        = map(string)
}
