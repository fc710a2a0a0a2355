# staging. Names derive from environment and must match include/config/staging.yaml (tests/infra).
environment    = "staging"
aws_region     = "ca-central-1"
aws_account_id = "123456789012"
team           = "data-platform"
cost_center    = "CC-1042"

github_repository = "example-org/dataops-orders"
state_bucket      = "dataops-staging-tfstate"
state_key_prefix  = "infra/"

alert_emails        = ["data-oncall@example.com"]
notification_emails = ["data-team@example.com"]

noncurrent_version_expiration_days = 14
temp_expiration_days               = 7
quarantine_expiration_days         = 30
access_log_expiration_days         = 365

glue_number_of_workers = 2
glue_timeout_minutes   = 120

redshift_deployment               = "serverless"
redshift_subnet_ids               = ["subnet-0staging-a", "subnet-0staging-b", "subnet-0staging-c"]
redshift_security_group_ids       = ["sg-0staging-redshift"]
redshift_serverless_base_capacity = 8
redshift_serverless_max_capacity  = 64
redshift_node_type                = "ra3.xlplus"
redshift_number_of_nodes          = 2
redshift_snapshot_retention_days  = 7

mwaa_environment_class               = "mw1.small"
mwaa_min_workers                     = 1
mwaa_max_workers                     = 4
mwaa_subnet_ids                      = ["subnet-0staging-a", "subnet-0staging-b"]
mwaa_security_group_ids              = ["sg-0staging-mwaa"]
mwaa_log_level                       = "INFO"
mwaa_weekly_maintenance_window_start = "SUN:03:00"

human_principal_arns      = ["arn:aws:iam::123456789012:role/DataEngineers"]
human_access_level        = "operator"
lake_formation_admin_arns = []

records_read_baseline      = 1000
s3_write_bytes_baseline    = 100000
jvm_heap_usage_threshold   = 0.9
freshness_schedule_minutes = 60
