variable "name_prefix" {
  description = "Prefix of every topic name, dataops-<environment>."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed key that encrypts the topics."
  type        = string
}

variable "alert_emails" {
  description = "Addresses subscribed to the alerts topic."
  type        = list(string)
}

variable "notification_emails" {
  description = "Addresses subscribed to the notifications topic."
  type        = list(string)
}

variable "tags" {
  description = "Environment, Team and CostCenter tags."
  type        = map(string)
}
