# Every variable without a default must be set in terraform.tfvars; tests/infra checks each
# environment's tfvars provides them and exercises every validation below.

variable "environment" {
  description = "Which environment this root builds: dev, staging or prod."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod: set it in terraform.tfvars."
  }
}

variable "aws_region" {
  description = "AWS region of every resource; settings aws_region names the same."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region name such as ca-central-1."
  }
}

variable "aws_account_id" {
  description = "The one AWS account this environment may be applied to; settings aws_account_id names the same."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be the 12-digit AWS account ID of this environment."
  }
}

variable "team" {
  description = "Team tag on every resource."
  type        = string

  validation {
    condition     = length(var.team) > 0
    error_message = "team must not be empty: it becomes the Team tag on every resource."
  }
}

variable "cost_center" {
  description = "CostCenter tag on every resource."
  type        = string

  validation {
    condition     = length(var.cost_center) > 0
    error_message = "cost_center must not be empty: it becomes the CostCenter tag on every resource."
  }
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose workflows may assume the deployment role."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name, for example acme/dataops-orders."
  }
}

variable "state_bucket" {
  description = "Bucket of the Terraform state; backend.hcl names the same bucket."
  type        = string
}

variable "state_key_prefix" {
  description = "Key prefix of this environment's state object; backend.hcl's key starts with it."
  type        = string
}

variable "alert_emails" {
  description = "Addresses subscribed to the alerts topic."
  type        = list(string)

  validation {
    condition     = alltrue([for email in var.alert_emails : can(regex("^[^@ ]+@[^@ ]+[.][^@ ]+$", email))])
    error_message = "alert_emails must hold e-mail addresses only, like data-oncall@example.com."
  }
}

variable "notification_emails" {
  description = "Addresses subscribed to the notifications topic."
  type        = list(string)

  validation {
    condition     = alltrue([for email in var.notification_emails : can(regex("^[^@ ]+@[^@ ]+[.][^@ ]+$", email))])
    error_message = "notification_emails must hold e-mail addresses only, like data-team@example.com."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days replaced or deleted object versions are kept."
  type        = number

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }
}

variable "temp_expiration_days" {
  description = "Days objects in the temp bucket live."
  type        = number

  validation {
    condition     = var.temp_expiration_days >= 1
    error_message = "temp_expiration_days must be at least 1."
  }
}

variable "quarantine_expiration_days" {
  description = "Days rejected records stay in quarantine for investigation."
  type        = number

  validation {
    condition     = var.quarantine_expiration_days >= 7
    error_message = "quarantine_expiration_days must be at least 7, so a week of rejects can be investigated."
  }
}

variable "access_log_expiration_days" {
  description = "Days S3 server access logs are kept."
  type        = number

  validation {
    condition     = var.access_log_expiration_days >= 90
    error_message = "access_log_expiration_days must be at least 90 for audits."
  }
}

variable "glue_number_of_workers" {
  description = "G.1X workers of the orders_transform job."
  type        = number

  validation {
    condition     = var.glue_number_of_workers >= 2
    error_message = "glue_number_of_workers must be at least 2, the Glue minimum for G.1X."
  }
}

variable "glue_timeout_minutes" {
  description = "Minutes before a Glue run is stopped as TIMEOUT."
  type        = number

  validation {
    condition     = var.glue_timeout_minutes >= 10 && var.glue_timeout_minutes <= 2880
    error_message = "glue_timeout_minutes must be between 10 and 2880."
  }
}

variable "redshift_deployment" {
  description = "serverless, or provisioned (prod only)."
  type        = string

  validation {
    condition     = contains(["serverless", "provisioned"], var.redshift_deployment)
    error_message = "redshift_deployment must be serverless or provisioned."
  }

  validation {
    condition     = var.redshift_deployment == "serverless" || var.environment == "prod"
    error_message = "redshift_deployment must be serverless outside prod: only prod may choose a provisioned cluster."
  }
}

variable "redshift_subnet_ids" {
  description = "Private subnets of the warehouse."
  type        = list(string)

  validation {
    condition     = length(var.redshift_subnet_ids) > 0
    error_message = "redshift_subnet_ids must list the warehouse's private subnets."
  }
}

variable "redshift_security_group_ids" {
  description = "Security groups of the warehouse."
  type        = list(string)

  validation {
    condition     = length(var.redshift_security_group_ids) > 0
    error_message = "redshift_security_group_ids must list at least one security group."
  }
}

variable "redshift_serverless_base_capacity" {
  description = "Base RPUs of the serverless workgroup."
  type        = number

  validation {
    condition     = var.redshift_serverless_base_capacity >= 8 && var.redshift_serverless_base_capacity <= 512
    error_message = "redshift_serverless_base_capacity must be between 8 and 512 RPUs."
  }
}

variable "redshift_serverless_max_capacity" {
  description = "RPU ceiling of the serverless workgroup."
  type        = number

  validation {
    condition     = var.redshift_serverless_max_capacity >= var.redshift_serverless_base_capacity
    error_message = "redshift_serverless_max_capacity must be at least redshift_serverless_base_capacity."
  }
}

variable "redshift_node_type" {
  description = "Node type of the provisioned cluster (used when redshift_deployment is provisioned)."
  type        = string

  validation {
    condition     = can(regex("^ra3[.]", var.redshift_node_type))
    error_message = "redshift_node_type must be an RA3 node type such as ra3.xlplus (managed storage, Spectrum)."
  }
}

variable "redshift_number_of_nodes" {
  description = "Nodes of the provisioned cluster."
  type        = number

  validation {
    condition     = var.redshift_number_of_nodes >= 1
    error_message = "redshift_number_of_nodes must be at least 1."
  }
}

variable "redshift_snapshot_retention_days" {
  description = "Days automated snapshots of the provisioned cluster are kept."
  type        = number

  validation {
    condition     = var.redshift_snapshot_retention_days >= 1 && var.redshift_snapshot_retention_days <= 35
    error_message = "redshift_snapshot_retention_days must be between 1 and 35."
  }
}

variable "mwaa_environment_class" {
  description = "MWAA environment class."
  type        = string

  validation {
    condition     = contains(["mw1.micro", "mw1.small", "mw1.medium", "mw1.large", "mw1.xlarge", "mw1.2xlarge"], var.mwaa_environment_class)
    error_message = "mwaa_environment_class must be one of mw1.micro, mw1.small, mw1.medium, mw1.large, mw1.xlarge, mw1.2xlarge."
  }
}

variable "mwaa_min_workers" {
  description = "Workers MWAA keeps running."
  type        = number

  validation {
    condition     = var.mwaa_min_workers >= 1
    error_message = "mwaa_min_workers must be at least 1."
  }
}

variable "mwaa_max_workers" {
  description = "Workers MWAA may scale out to."
  type        = number

  validation {
    condition     = var.mwaa_max_workers >= var.mwaa_min_workers
    error_message = "mwaa_max_workers must be at least mwaa_min_workers."
  }
}

variable "mwaa_subnet_ids" {
  description = "Two private subnets, in different availability zones, for MWAA."
  type        = list(string)

  validation {
    condition     = length(var.mwaa_subnet_ids) == 2
    error_message = "mwaa_subnet_ids must list exactly two private subnets in different availability zones."
  }
}

variable "mwaa_security_group_ids" {
  description = "Security groups of the MWAA environment."
  type        = list(string)

  validation {
    condition     = length(var.mwaa_security_group_ids) > 0
    error_message = "mwaa_security_group_ids must list at least one security group."
  }
}

variable "mwaa_log_level" {
  description = "Level of the Airflow logs MWAA sends to CloudWatch."
  type        = string

  validation {
    condition     = contains(["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"], var.mwaa_log_level)
    error_message = "mwaa_log_level must be one of CRITICAL, ERROR, WARNING, INFO, DEBUG."
  }
}

variable "mwaa_weekly_maintenance_window_start" {
  description = "Start of MWAA's weekly maintenance window, DAY:HH:MM in UTC."
  type        = string

  validation {
    condition     = can(regex("^(MON|TUE|WED|THU|FRI|SAT|SUN):([01][0-9]|2[0-3]):(00|30)$", var.mwaa_weekly_maintenance_window_start))
    error_message = "mwaa_weekly_maintenance_window_start must look like SUN:03:00 (UTC, on the hour or half hour)."
  }
}

# Set by the deploy tool (include/dataops deploy) on each release: it uploads the files and passes
# the S3 object versions it got back, so MWAA runs exactly what was released.
variable "mwaa_plugins_s3_path" {
  description = "Key of plugins.zip in the MWAA source bucket."
  type        = string
  default     = "plugins.zip"
}

variable "mwaa_plugins_s3_object_version" {
  description = "S3 version of plugins.zip; null means the latest."
  type        = string
  default     = null
}

variable "mwaa_requirements_s3_path" {
  description = "Key of requirements.txt in the MWAA source bucket."
  type        = string
  default     = "requirements.txt"
}

variable "mwaa_requirements_s3_object_version" {
  description = "S3 version of requirements.txt; null means the latest."
  type        = string
  default     = null
}

variable "mwaa_startup_script_s3_path" {
  description = "Key of startup.sh in the MWAA source bucket."
  type        = string
  default     = "startup.sh"
}

variable "mwaa_startup_script_s3_object_version" {
  description = "S3 version of startup.sh; null means the latest."
  type        = string
  default     = null
}

variable "human_principal_arns" {
  description = "IAM principals of the people who may assume the human roles."
  type        = list(string)

  validation {
    condition     = alltrue([for arn in var.human_principal_arns : can(regex("^arn:aws:iam::[0-9]{12}:", arn))])
    error_message = "human_principal_arns must hold IAM ARNs, like arn:aws:iam::123456789012:role/DataEngineers."
  }
}

variable "human_access_level" {
  description = "read_only, or operator (people may rerun the job and operate Airflow); prod is read_only."
  type        = string

  validation {
    condition     = contains(["read_only", "operator"], var.human_access_level)
    error_message = "human_access_level must be read_only or operator."
  }

  validation {
    condition     = var.human_access_level == "read_only" || var.environment != "prod"
    error_message = "human_access_level must be read_only in prod: only the deployment role changes prod."
  }
}

variable "lake_formation_admin_arns" {
  description = "Lake Formation administrators besides the deployment role (data stewards)."
  type        = list(string)
}

variable "records_read_baseline" {
  description = "Fewest records a normal nightly Glue run reads; fewer raises an alarm."
  type        = number

  validation {
    condition     = var.records_read_baseline > 0
    error_message = "records_read_baseline must be above 0."
  }
}

variable "s3_write_bytes_baseline" {
  description = "Fewest bytes a normal nightly Glue run writes to S3; fewer raises an alarm."
  type        = number

  validation {
    condition     = var.s3_write_bytes_baseline > 0
    error_message = "s3_write_bytes_baseline must be above 0."
  }
}

variable "jvm_heap_usage_threshold" {
  description = "Fraction of the Glue JVM heap (0-1) that raises an alarm."
  type        = number

  validation {
    condition     = var.jvm_heap_usage_threshold > 0 && var.jvm_heap_usage_threshold < 1
    error_message = "jvm_heap_usage_threshold must be a fraction between 0 and 1, such as 0.9."
  }
}

variable "freshness_schedule_minutes" {
  description = "How often the freshness Lambda measures the critical tables; each table's alarm period."
  type        = number

  validation {
    condition     = var.freshness_schedule_minutes >= 5 && var.freshness_schedule_minutes <= 720
    error_message = "freshness_schedule_minutes must be between 5 and 720."
  }
}
