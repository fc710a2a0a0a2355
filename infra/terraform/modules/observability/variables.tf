variable "name_prefix" {
  description = "Prefix of every resource name, dataops-<environment>."
  type        = string
}

variable "aws_region" {
  description = "Region the dashboard's widgets read."
  type        = string
}

variable "namespace" {
  description = "CloudWatch namespace of the pipeline's metrics; settings cloudwatch.namespace names the same."
  type        = string
}

variable "glue_job_name" {
  description = "The orders_transform job."
  type        = string
}

variable "alerts_topic_arn" {
  description = "Topic the pages (alarms on wrong, late or missing data) and the Glue failure rule notify."
  type        = string
}

variable "notifications_topic_arn" {
  description = "Topic the notices (finished, but worth a look) notify."
  type        = string
}

variable "records_read_baseline" {
  description = "Fewest records a normal nightly Glue run reads."
  type        = number
}

variable "s3_write_bytes_baseline" {
  description = "Fewest bytes a normal nightly Glue run writes to S3."
  type        = number
}

variable "jvm_heap_usage_threshold" {
  description = "Fraction of the JVM heap (0-1) above which executors are at risk."
  type        = number
}

variable "freshness_schedule_minutes" {
  description = "How often the freshness Lambda publishes DataFreshness; each table's alarm period."
  type        = number
}

variable "tags" {
  description = "Environment, Team and CostCenter tags."
  type        = map(string)
}
