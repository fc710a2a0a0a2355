variable "name_prefix" {
  description = "Prefix of every resource name, dataops-<environment>."
  type        = string
}

variable "environment" {
  description = "dev, staging or prod."
  type        = string
}

variable "aws_region" {
  description = "Region of the key; CloudWatch Logs is granted use of it here."
  type        = string
}

variable "deletion_window_in_days" {
  description = "Days a scheduled key deletion waits before it happens."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Environment, Team and CostCenter tags."
  type        = map(string)
}
