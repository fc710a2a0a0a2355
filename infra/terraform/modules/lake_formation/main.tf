# Lake Formation governs the curated zone: the bucket is a registered location and each role gets
# only the catalog permissions its job needs. The Glue job and crawler write; Redshift Spectrum
# reads; MWAA only describes (sensors and the dashboard need metadata, never data).

data "aws_caller_identity" "current" {}

locals {
  grants = {
    glue_job = {
      principal = var.glue_job_role_arn
      database  = ["ALTER", "CREATE_TABLE", "DESCRIBE"]
      tables    = ["ALTER", "DELETE", "DESCRIBE", "INSERT", "SELECT"]
      location  = true
    }
    glue_crawler = {
      principal = var.glue_crawler_role_arn
      database  = ["ALTER", "CREATE_TABLE", "DESCRIBE"]
      tables    = ["ALTER", "DESCRIBE", "INSERT", "SELECT"]
      location  = true
    }
    redshift_spectrum = {
      principal = var.redshift_spectrum_role_arn
      database  = ["DESCRIBE"]
      tables    = ["DESCRIBE", "SELECT"]
      location  = false
    }
    mwaa = {
      principal = var.mwaa_execution_role_arn
      database  = ["DESCRIBE"]
      tables    = ["DESCRIBE"]
      location  = false
    }
  }
}

resource "aws_lakeformation_data_lake_settings" "this" {
  admins = var.admin_arns
}

data "aws_iam_policy_document" "location_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lakeformation.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

# Lake Formation vends credentials for the registered curated location through this role.
resource "aws_iam_role" "location" {
  name               = "${var.name_prefix}-lakeformation-curated"
  description        = "Lake Formation's access to the registered curated location."
  assume_role_policy = data.aws_iam_policy_document.location_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "location" {
  statement {
    sid       = "ListCurated"
    actions   = ["s3:ListBucket"]
    resources = [var.curated_bucket_arn]
  }

  statement {
    sid       = "ReadWriteCurated"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    resources = ["${var.curated_bucket_arn}/*"]
  }

  statement {
    sid       = "UseEnvironmentKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "location" {
  name   = "curated-location"
  role   = aws_iam_role.location.id
  policy = data.aws_iam_policy_document.location.json
}

resource "aws_lakeformation_resource" "curated" {
  arn      = var.curated_bucket_arn
  role_arn = aws_iam_role.location.arn

  depends_on = [aws_lakeformation_data_lake_settings.this]
}

resource "aws_lakeformation_permissions" "database" {
  for_each = local.grants

  principal   = each.value.principal
  permissions = each.value.database

  database {
    name = var.database_name
  }

  depends_on = [aws_lakeformation_data_lake_settings.this]
}

resource "aws_lakeformation_permissions" "tables" {
  for_each = local.grants

  principal   = each.value.principal
  permissions = each.value.tables

  table {
    database_name = var.database_name
    wildcard      = true
  }

  depends_on = [aws_lakeformation_data_lake_settings.this]
}

resource "aws_lakeformation_permissions" "location" {
  for_each = { for name, grant in local.grants : name => grant if grant.location }

  principal   = each.value.principal
  permissions = ["DATA_LOCATION_ACCESS"]

  data_location {
    arn = aws_lakeformation_resource.curated.arn
  }
}
