# The warehouse dbt builds into. Serverless (namespace + workgroup) by default; prod may choose a
# provisioned cluster instead. Either way the admin password is generated and kept by Redshift
# in Secrets Manager, and the curated zone is reachable through a Spectrum external schema whose
# role reads the curated bucket and the Glue catalog, nothing more.

data "aws_caller_identity" "current" {}

locals {
  account_id  = data.aws_caller_identity.current.account_id
  serverless  = var.deployment == "serverless"
  provisioned = var.deployment == "provisioned"
}

data "aws_iam_policy_document" "spectrum_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "spectrum" {
  name               = "${var.name_prefix}-redshift-spectrum"
  description        = "Spectrum external schema over the curated zone: read-only."
  assume_role_policy = data.aws_iam_policy_document.spectrum_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "spectrum" {
  statement {
    sid       = "ListCurated"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = ["arn:aws:s3:::${var.curated_bucket}"]
  }

  statement {
    sid       = "ReadCurated"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::${var.curated_bucket}/*"]
  }

  statement {
    sid = "ReadCatalog"
    actions = [
      "glue:GetDatabase",
      "glue:GetDatabases",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:GetTable",
      "glue:GetTables",
      "glue:BatchGetPartition",
    ]
    resources = [
      "arn:aws:glue:${var.aws_region}:${local.account_id}:catalog",
      "arn:aws:glue:${var.aws_region}:${local.account_id}:database/${var.glue_database_name}",
      "arn:aws:glue:${var.aws_region}:${local.account_id}:table/${var.glue_database_name}/*",
    ]
  }

  statement {
    sid       = "DecryptLakeAndCatalog"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid       = "LakeFormationDataAccess"
    actions   = ["lakeformation:GetDataAccess"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "spectrum" {
  name   = "spectrum-curated-read"
  role   = aws_iam_role.spectrum.id
  policy = data.aws_iam_policy_document.spectrum.json
}

# ---------------------------------------------------------------- serverless (dev, staging, optionally prod)

resource "aws_redshiftserverless_namespace" "this" {
  count = local.serverless ? 1 : 0

  namespace_name                   = var.name_prefix
  db_name                          = var.database_name
  admin_username                   = var.admin_username
  manage_admin_password            = true
  admin_password_secret_kms_key_id = var.kms_key_arn
  kms_key_id                       = var.kms_key_arn
  iam_roles                        = [aws_iam_role.spectrum.arn]
  default_iam_role_arn             = aws_iam_role.spectrum.arn
  log_exports                      = ["connectionlog", "useractivitylog", "userlog"]
  tags                             = var.tags
}

resource "aws_redshiftserverless_workgroup" "this" {
  count = local.serverless ? 1 : 0

  namespace_name       = aws_redshiftserverless_namespace.this[0].namespace_name
  workgroup_name       = var.name_prefix
  base_capacity        = var.serverless_base_capacity
  max_capacity         = var.serverless_max_capacity
  publicly_accessible  = false
  enhanced_vpc_routing = true
  subnet_ids           = var.subnet_ids
  security_group_ids   = var.security_group_ids
  tags                 = var.tags

  config_parameter {
    parameter_key   = "require_ssl"
    parameter_value = "true"
  }

  config_parameter {
    parameter_key   = "enable_user_activity_logging"
    parameter_value = "true"
  }
}

# ---------------------------------------------------------------- provisioned (prod, when chosen)

resource "aws_redshift_subnet_group" "this" {
  count = local.provisioned ? 1 : 0

  name        = var.name_prefix
  description = "Private subnets of the ${var.name_prefix} cluster."
  subnet_ids  = var.subnet_ids
  tags        = var.tags
}

resource "aws_redshift_parameter_group" "this" {
  count = local.provisioned ? 1 : 0

  name   = var.name_prefix
  family = "redshift-2.0"
  tags   = var.tags

  parameter {
    name  = "require_ssl"
    value = "true"
  }

  parameter {
    name  = "enable_user_activity_logging"
    value = "true"
  }
}

resource "aws_redshift_cluster" "this" {
  #checkov:skip=CKV_AWS_71:AWS provider 6 moved audit logging out of the cluster block; aws_redshift_logging.this below enables it.
  count = local.provisioned ? 1 : 0

  cluster_identifier                   = var.name_prefix
  database_name                        = var.database_name
  master_username                      = var.admin_username
  manage_master_password               = true
  master_password_secret_kms_key_id    = var.kms_key_arn
  node_type                            = var.node_type
  cluster_type                         = var.number_of_nodes > 1 ? "multi-node" : "single-node"
  number_of_nodes                      = var.number_of_nodes
  encrypted                            = true
  kms_key_id                           = var.kms_key_arn
  publicly_accessible                  = false
  enhanced_vpc_routing                 = true
  allow_version_upgrade                = true
  automated_snapshot_retention_period  = var.snapshot_retention_days
  cluster_subnet_group_name            = aws_redshift_subnet_group.this[0].name
  cluster_parameter_group_name         = aws_redshift_parameter_group.this[0].name
  vpc_security_group_ids               = var.security_group_ids
  iam_roles                            = [aws_iam_role.spectrum.arn]
  default_iam_role_arn                 = aws_iam_role.spectrum.arn
  skip_final_snapshot                  = false
  final_snapshot_identifier            = "${var.name_prefix}-final"
  availability_zone_relocation_enabled = true
  tags                                 = var.tags
}

resource "aws_redshift_logging" "this" {
  count = local.provisioned ? 1 : 0

  cluster_identifier   = aws_redshift_cluster.this[0].cluster_identifier
  log_destination_type = "cloudwatch"
  log_exports          = ["connectionlog", "useractivitylog", "userlog"]
}
