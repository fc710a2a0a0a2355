output "bucket_names" {
  description = "Bucket per zone; include/config/<env>.yaml buckets.* name the same."
  value       = module.data_lake.bucket_names
}

output "mwaa_source_bucket" {
  description = "Bucket the deploy tool uploads dags/, plugins.zip, requirements.txt and startup.sh to."
  value       = module.data_lake.bucket_names["mwaa"]
}

output "glue_job_name" {
  description = "The orders_transform job; settings glue.job_name names the same."
  value       = module.glue.job_name
}

output "topic_arns" {
  description = "Alerts and notifications topics."
  value       = module.notifications.topic_arns
}

output "mwaa_environment_name" {
  description = "MWAA environment the deploy tool updates."
  value       = module.mwaa.name
}

output "mwaa_webserver_url" {
  description = "Private Airflow UI address."
  value       = module.mwaa.webserver_url
}

output "deploy_role_arn" {
  description = "Role the GitHub workflow assumes for this environment."
  value       = module.iam.deploy_role_arn
}

output "human_role_arns" {
  description = "Roles people assume: readonly everywhere, operator outside prod."
  value       = module.iam.human_role_arns
}

output "redshift_endpoint" {
  description = "Warehouse host for the redshift_default connection."
  value       = module.redshift.endpoint
}

output "redshift_admin_secret_arn" {
  description = "Secret with the generated admin password."
  value       = module.redshift.admin_secret_arn
}

output "redshift_spectrum_role_arn" {
  description = "IAM_ROLE of the Spectrum external schema over the curated zone."
  value       = module.redshift.spectrum_role_arn
}

output "dashboard_name" {
  description = "The pipeline dashboard in CloudWatch."
  value       = module.observability.dashboard_name
}
