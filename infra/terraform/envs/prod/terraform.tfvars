# prod. Names derive from environment and must match include/config/prod.yaml (tests/infra).
environment    = "prod"
aws_region     = "ca-central-1"
aws_account_id = "123456789012"
team           = "data-platform"
cost_center    = "CC-1042"

github_repository = "example-org/dataops-orders"
state_bucket      = "dataops-prod-tfstate"
state_key_prefix  = "infra/"

alert_emails        = ["data-oncall@example.com"]
notification_emails = ["data-team@example.com"]

noncurrent_version_expiration_days = 30
temp_expiration_days               = 7
quarantine_expiration_days         = 90
access_log_expiration_days         = 365

glue_number_of_workers = 10
glue_timeout_minutes   = 120

redshift_deployment               = "provisioned"
redshift_subnet_ids               = ["subnet-0prod-a", "subnet-0prod-b", "subnet-0prod-c"]
redshift_security_group_ids       = ["sg-0prod-redshift"]
redshift_serverless_base_capacity = 32
redshift_serverless_max_capacity  = 128
redshift_node_type                = "ra3.xlplus"
redshift_number_of_nodes          = 2
redshift_snapshot_retention_days  = 7

mwaa_environment_class               = "mw1.medium"
mwaa_min_workers                     = 2
mwaa_max_workers                     = 10
mwaa_subnet_ids                      = ["subnet-0prod-a", "subnet-0prod-b"]
mwaa_security_group_ids              = ["sg-0prod-mwaa"]
mwaa_log_level                       = "INFO"
mwaa_weekly_maintenance_window_start = "SUN:03:00"

human_principal_arns      = ["arn:aws:iam::123456789012:role/DataEngineers"]
human_access_level        = "read_only"
lake_formation_admin_arns = []

records_read_baseline      = 10000
s3_write_bytes_baseline    = 1000000
jvm_heap_usage_threshold   = 0.9
freshness_schedule_minutes = 60
