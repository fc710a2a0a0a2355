# One root per environment; envs/staging and envs/prod link to this file (and to variables.tf,
# outputs.tf, versions.tf) in envs/dev, so the roots differ only in terraform.tfvars and
# backend.hcl (tests/infra checks it). Names follow the settings
# files, include/config/<env>.yaml, which are the source of truth (tests/infra checks that too).

locals {
  name_prefix       = "dataops-${var.environment}"
  glue_job_name     = "orders-transform-${var.environment}"
  glue_database     = "dataops_${var.environment}_curated"
  metrics_namespace = "DataOps/Orders"

  tags = {
    Environment = var.environment
    Team        = var.team
    CostCenter  = var.cost_center
  }
}

module "kms" {
  source = "../../modules/kms"

  name_prefix = local.name_prefix
  environment = var.environment
  aws_region  = var.aws_region
  tags        = local.tags
}

module "data_lake" {
  source = "../../modules/data_lake"

  name_prefix                        = local.name_prefix
  kms_key_arn                        = module.kms.key_arn
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  temp_expiration_days               = var.temp_expiration_days
  quarantine_expiration_days         = var.quarantine_expiration_days
  access_log_expiration_days         = var.access_log_expiration_days
  tags                               = local.tags
}

module "notifications" {
  source = "../../modules/notifications"

  name_prefix         = local.name_prefix
  kms_key_arn         = module.kms.key_arn
  alert_emails        = var.alert_emails
  notification_emails = var.notification_emails
  tags                = local.tags
}

module "glue" {
  source = "../../modules/glue"

  name_prefix       = local.name_prefix
  environment       = var.environment
  aws_region        = var.aws_region
  job_name          = local.glue_job_name
  database_name     = local.glue_database
  bucket_names      = module.data_lake.bucket_names
  curated_datasets  = ["orders", "customers"]
  number_of_workers = var.glue_number_of_workers
  timeout_minutes   = var.glue_timeout_minutes
  metrics_namespace = local.metrics_namespace
  kms_key_arn       = module.kms.key_arn
  tags              = local.tags

  openlineage_transport = module.mwaa.openlineage_transport
}

module "redshift" {
  source = "../../modules/redshift"

  name_prefix              = local.name_prefix
  aws_region               = var.aws_region
  deployment               = var.redshift_deployment
  database_name            = "dataops"
  admin_username           = "dataops_admin"
  subnet_ids               = var.redshift_subnet_ids
  security_group_ids       = var.redshift_security_group_ids
  serverless_base_capacity = var.redshift_serverless_base_capacity
  serverless_max_capacity  = var.redshift_serverless_max_capacity
  node_type                = var.redshift_node_type
  number_of_nodes          = var.redshift_number_of_nodes
  snapshot_retention_days  = var.redshift_snapshot_retention_days
  curated_bucket           = module.data_lake.bucket_names["curated"]
  glue_database_name       = module.glue.database_name
  spectrum_schema          = "curated"
  connections_prefix       = "airflow/connections"
  connection_id            = "redshift_default"
  kms_key_arn              = module.kms.key_arn
  tags                     = local.tags
}

module "mwaa" {
  source = "../../modules/mwaa"

  name                             = local.name_prefix
  environment                      = var.environment
  aws_region                       = var.aws_region
  environment_class                = var.mwaa_environment_class
  min_workers                      = var.mwaa_min_workers
  max_workers                      = var.mwaa_max_workers
  source_bucket_arn                = module.data_lake.bucket_arns["mwaa"]
  plugins_s3_path                  = var.mwaa_plugins_s3_path
  plugins_s3_object_version        = var.mwaa_plugins_s3_object_version
  requirements_s3_path             = var.mwaa_requirements_s3_path
  requirements_s3_object_version   = var.mwaa_requirements_s3_object_version
  startup_script_s3_path           = var.mwaa_startup_script_s3_path
  startup_script_s3_object_version = var.mwaa_startup_script_s3_object_version
  weekly_maintenance_window_start  = var.mwaa_weekly_maintenance_window_start
  subnet_ids                       = var.mwaa_subnet_ids
  security_group_ids               = var.mwaa_security_group_ids
  log_level                        = var.mwaa_log_level
  connections_prefix               = "airflow/connections"
  variables_prefix                 = "airflow/variables"
  bucket_names                     = module.data_lake.bucket_names
  glue_job_arn                     = module.glue.job_arn
  glue_catalog_arns                = module.glue.catalog_arns
  topic_names                      = values(module.notifications.topic_names)
  metrics_namespace                = local.metrics_namespace
  kms_key_arn                      = module.kms.key_arn
  tags                             = local.tags
}

module "iam" {
  source = "../../modules/iam"

  name_prefix          = local.name_prefix
  environment          = var.environment
  aws_region           = var.aws_region
  github_repository    = var.github_repository
  state_bucket         = var.state_bucket
  state_key_prefix     = var.state_key_prefix
  glue_job_name        = local.glue_job_name
  glue_database_name   = local.glue_database
  metrics_namespace    = local.metrics_namespace
  artifacts_bucket     = module.data_lake.bucket_names["artifacts"]
  kms_key_arn          = module.kms.key_arn
  human_principal_arns = var.human_principal_arns
  human_access_level   = var.human_access_level
  tags                 = local.tags
}

module "lake_formation" {
  source = "../../modules/lake_formation"

  name_prefix                = local.name_prefix
  admin_arns                 = concat([module.iam.deploy_role_arn], var.lake_formation_admin_arns)
  database_name              = module.glue.database_name
  curated_bucket_arn         = module.data_lake.bucket_arns["curated"]
  kms_key_arn                = module.kms.key_arn
  glue_job_role_arn          = module.glue.job_role_arn
  glue_crawler_role_arn      = module.glue.crawler_role_arn
  redshift_spectrum_role_arn = module.redshift.spectrum_role_arn
  mwaa_execution_role_arn    = module.mwaa.execution_role_arn
  tags                       = local.tags
}

module "observability" {
  source = "../../modules/observability"

  name_prefix              = local.name_prefix
  aws_region               = var.aws_region
  namespace                = local.metrics_namespace
  glue_job_name            = module.glue.job_name
  alerts_topic_arn           = module.notifications.topic_arns["alerts"]
  notifications_topic_arn    = module.notifications.topic_arns["notifications"]
  records_read_baseline      = var.records_read_baseline
  s3_write_bytes_baseline    = var.s3_write_bytes_baseline
  jvm_heap_usage_threshold   = var.jvm_heap_usage_threshold
  freshness_schedule_minutes = var.freshness_schedule_minutes
  tags                       = local.tags
}

module "freshness" {
  source = "../../modules/freshness"

  name_prefix                = local.name_prefix
  environment                = var.environment
  aws_region                 = var.aws_region
  aws_account_id             = var.aws_account_id
  redshift_deployment        = var.redshift_deployment
  redshift_database          = "dataops"
  warehouse_schema           = "analytics"
  metrics_namespace          = local.metrics_namespace
  artifacts_bucket           = module.data_lake.bucket_names["artifacts"]
  freshness_schedule_minutes = var.freshness_schedule_minutes
  kms_key_arn                = module.kms.key_arn
  tags                       = local.tags
}
