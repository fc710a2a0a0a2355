output "name" {
  description = "MWAA environment name."
  value       = aws_mwaa_environment.this.name
}

output "arn" {
  description = "MWAA environment ARN."
  value       = aws_mwaa_environment.this.arn
}

output "webserver_url" {
  description = "Private Airflow UI address."
  value       = aws_mwaa_environment.this.webserver_url
}

output "execution_role_arn" {
  description = "Execution role of the environment."
  value       = aws_iam_role.execution.arn
}

output "openlineage_transport" {
  description = "The OpenLineage transport JSON of the environment; the Glue job sends its lineage there too."
  value       = local.lineage_configuration_options["openlineage.transport"]
}
