output "spectrum_role_arn" {
  description = "Role of the Spectrum external schema (CREATE EXTERNAL SCHEMA ... IAM_ROLE)."
  value       = aws_iam_role.spectrum.arn
}

output "endpoint" {
  description = "Host name dbt and the redshift_default connection use."
  value       = var.deployment == "serverless" ? aws_redshiftserverless_workgroup.this[0].endpoint[0].address : aws_redshift_cluster.this[0].dns_name
}

output "admin_secret_arn" {
  description = "Secrets Manager secret holding the generated admin password."
  value       = var.deployment == "serverless" ? aws_redshiftserverless_namespace.this[0].admin_password_secret_arn : aws_redshift_cluster.this[0].master_password_secret_arn
}
