output "spectrum_role_arn" {
  description = "Role of the Spectrum external schema (CREATE EXTERNAL SCHEMA ... IAM_ROLE)."
  value       = aws_iam_role.spectrum.arn
}

output "endpoint" {
  description = "Host name dbt and the redshift_default connection use."
  value       = local.endpoint
}

output "admin_secret_arn" {
  description = "Secrets Manager secret holding the generated admin password."
  value       = local.admin_secret_arn
}

output "connection_secret_arn" {
  description = "Secrets Manager secret of the Airflow warehouse connection."
  value       = aws_secretsmanager_secret.connection.arn
}
