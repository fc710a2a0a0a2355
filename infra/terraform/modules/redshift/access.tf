# How dbt reaches the warehouse and, through it, the lake: the Airflow connection that Cosmos's
# Redshift profile mapping reads (MWAA's Secrets Manager backend, connections prefix), and the
# Spectrum external schema over the curated catalog database that dbt's `curated` sources name.

locals {
  endpoint         = local.serverless ? aws_redshiftserverless_workgroup.this[0].endpoint[0].address : aws_redshift_cluster.this[0].dns_name
  admin_secret_arn = local.serverless ? aws_redshiftserverless_namespace.this[0].admin_password_secret_arn : aws_redshift_cluster.this[0].master_password_secret_arn
}

# The password Redshift generated for the admin user; Redshift keeps it in its own secret.
data "aws_secretsmanager_secret_version" "admin" {
  secret_id = local.admin_secret_arn
}

resource "aws_secretsmanager_secret" "connection" {
  #checkov:skip=CKV2_AWS_57:A copy of the Redshift-managed admin secret, which Redshift rotates; re-apply after a rotation to copy the new password.
  name                    = "${var.connections_prefix}/${var.connection_id}"
  description             = "Airflow connection ${var.connection_id}: the warehouse dbt builds into (Cosmos profile)."
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 7
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "connection" {
  secret_id = aws_secretsmanager_secret.connection.id
  # The JSON form of an Airflow connection; `schema` is the Redshift database, as Cosmos maps it.
  secret_string = jsonencode({
    conn_type = "redshift"
    host      = local.endpoint
    port      = 5439
    schema    = var.database_name
    login     = var.admin_username
    password  = jsondecode(data.aws_secretsmanager_secret_version.admin.secret_string)["password"]
    extra     = { sslmode = "verify-full", region = var.aws_region }
  })
}

# Run once through the Redshift Data API as the admin user: IF NOT EXISTS keeps a re-apply harmless.
resource "aws_redshiftdata_statement" "spectrum_schema" {
  workgroup_name     = local.serverless ? aws_redshiftserverless_workgroup.this[0].workgroup_name : null
  cluster_identifier = local.provisioned ? aws_redshift_cluster.this[0].cluster_identifier : null
  database           = var.database_name
  secret_arn         = local.admin_secret_arn
  sql                = "CREATE EXTERNAL SCHEMA IF NOT EXISTS ${var.spectrum_schema} FROM DATA CATALOG DATABASE '${var.glue_database_name}' IAM_ROLE '${aws_iam_role.spectrum.arn}' REGION '${var.aws_region}'"
}
