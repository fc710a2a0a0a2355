# The orders_transform job (glue_jobs/orders_transform.py, uploaded to the scripts bucket),
# the catalog database of the curated zone and the crawler that keeps its tables current.

data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  bucket     = var.bucket_names

  catalog_arns = [
    "arn:aws:glue:${var.aws_region}:${local.account_id}:catalog",
    "arn:aws:glue:${var.aws_region}:${local.account_id}:database/${var.database_name}",
    "arn:aws:glue:${var.aws_region}:${local.account_id}:table/${var.database_name}/*",
  ]

  glue_log_groups = "arn:aws:logs:${var.aws_region}:${local.account_id}:log-group:/aws-glue/*"

  # The job's own lineage (raw partition -> curated and quarantine) through the OpenLineage
  # client, sent where MWAA sends the DAGs' (the same transport JSON). AWS Glue 5.0 ships neither
  # the client nor s3fs (for the default file transport in S3), so the job installs them, pinned to
  # locks/airflow.txt (tests/infra/test_lineage_config.py holds the pins).
  lineage_modules = "openlineage-python==1.54.0,s3fs==2026.9.0"
}

resource "aws_glue_catalog_database" "curated" {
  name        = var.database_name
  description = "Curated zone of the DataOps ${var.environment} lake (s3://${local.bucket.curated})."
  tags        = var.tags
}

# Account-wide: the catalog's metadata and stored connection passwords are encrypted at rest.
resource "aws_glue_data_catalog_encryption_settings" "this" {
  data_catalog_encryption_settings {
    connection_password_encryption {
      return_connection_password_encrypted = true
      aws_kms_key_id                       = var.kms_key_arn
    }

    encryption_at_rest {
      catalog_encryption_mode = "SSE-KMS"
      sse_aws_kms_key_id      = var.kms_key_arn
    }
  }
}

resource "aws_glue_security_configuration" "this" {
  name = var.name_prefix

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = var.kms_key_arn
    }

    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = var.kms_key_arn
    }

    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = var.kms_key_arn
    }
  }
}

data "aws_iam_policy_document" "glue_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["glue.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "job" {
  name               = "${var.name_prefix}-glue-job"
  description        = "Runs ${var.job_name}: reads raw, writes curated and quarantine."
  assume_role_policy = data.aws_iam_policy_document.glue_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "job" {
  statement {
    sid       = "ListLakeBuckets"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [for zone in ["raw", "curated", "quarantine", "scripts", "temp"] : "arn:aws:s3:::${local.bucket[zone]}"]
  }

  statement {
    sid     = "ReadRawAndScripts"
    actions = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = [
      "arn:aws:s3:::${local.bucket.raw}/*",
      "arn:aws:s3:::${local.bucket.scripts}/*",
    ]
  }

  statement {
    sid     = "WriteCuratedQuarantineTemp"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [
      "arn:aws:s3:::${local.bucket.curated}/*",
      "arn:aws:s3:::${local.bucket.quarantine}/*",
      "arn:aws:s3:::${local.bucket.temp}/*",
    ]
  }

  # The default OpenLineage transport: one object per event under the artifacts bucket's lineage/.
  statement {
    sid       = "WriteLineageEvents"
    actions   = ["s3:PutObject"]
    resources = ["arn:aws:s3:::${local.bucket.artifacts}/lineage/*"]
  }

  statement {
    sid       = "UseEnvironmentKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid = "CuratedCatalog"
    actions = [
      "glue:BatchCreatePartition",
      "glue:CreatePartition",
      "glue:CreateTable",
      "glue:GetDatabase",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:GetTable",
      "glue:GetTables",
      "glue:UpdatePartition",
      "glue:UpdateTable",
    ]
    resources = local.catalog_arns
  }

  statement {
    sid       = "ContinuousLogging"
    actions   = ["logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [local.glue_log_groups, "${local.glue_log_groups}:*"]
  }

  statement {
    sid       = "JobMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["Glue", var.metrics_namespace]
    }
  }

  statement {
    sid       = "LakeFormationDataAccess"
    actions   = ["lakeformation:GetDataAccess"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "job" {
  name   = "orders-transform"
  role   = aws_iam_role.job.id
  policy = data.aws_iam_policy_document.job.json
}

resource "aws_glue_job" "orders_transform" {
  name                   = var.job_name
  description            = "Raw orders and customers to curated Parquet, rejects to quarantine, with a run manifest."
  role_arn               = aws_iam_role.job.arn
  glue_version           = "5.0"
  worker_type            = "G.1X"
  number_of_workers      = var.number_of_workers
  timeout                = var.timeout_minutes
  max_retries            = 0
  security_configuration = aws_glue_security_configuration.this.name

  command {
    name            = "glueetl"
    script_location = "s3://${local.bucket.scripts}/glue/orders_transform.py"
    python_version  = "3"
  }

  default_arguments = {
    "--job-bookmark-option"              = "job-bookmark-enable"
    "--enable-metrics"                   = "true"
    "--enable-continuous-cloudwatch-log" = "true"
    "--enable-glue-datacatalog"          = "true"
    "--TempDir"                          = "s3://${local.bucket.temp}/glue-temp/"
    "--ENV"                              = var.environment
    "--RAW_ROOT"                         = "s3://${local.bucket.raw}"
    "--CURATED_ROOT"                     = "s3://${local.bucket.curated}"
    "--QUARANTINE_ROOT"                  = "s3://${local.bucket.quarantine}"
    "--OPENLINEAGE_TRANSPORT"            = var.openlineage_transport
    "--additional-python-modules"        = local.lineage_modules
  }

  execution_property {
    max_concurrent_runs = 1
  }

  tags = var.tags
}

resource "aws_iam_role" "crawler" {
  name               = "${var.name_prefix}-glue-crawler"
  description        = "Crawls the curated zone into the ${var.database_name} catalog database."
  assume_role_policy = data.aws_iam_policy_document.glue_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "crawler" {
  statement {
    sid       = "ListCurated"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = ["arn:aws:s3:::${local.bucket.curated}"]
  }

  statement {
    sid       = "ReadCurated"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::${local.bucket.curated}/*"]
  }

  statement {
    sid       = "UseEnvironmentKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid = "CuratedCatalog"
    actions = [
      "glue:BatchCreatePartition",
      "glue:BatchGetPartition",
      "glue:CreateTable",
      "glue:GetDatabase",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:GetTable",
      "glue:GetTables",
      "glue:UpdatePartition",
      "glue:UpdateTable",
    ]
    resources = local.catalog_arns
  }

  statement {
    sid       = "CrawlerLogs"
    actions   = ["logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [local.glue_log_groups, "${local.glue_log_groups}:*"]
  }

  statement {
    sid       = "LakeFormationDataAccess"
    actions   = ["lakeformation:GetDataAccess"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "crawler" {
  name   = "curated-crawler"
  role   = aws_iam_role.crawler.id
  policy = data.aws_iam_policy_document.crawler.json
}

resource "aws_glue_crawler" "curated" {
  name                   = "${var.name_prefix}-curated"
  description            = "Registers the curated orders and customers partitions in ${var.database_name}."
  database_name          = aws_glue_catalog_database.curated.name
  role                   = aws_iam_role.crawler.arn
  security_configuration = aws_glue_security_configuration.this.name

  dynamic "s3_target" {
    for_each = var.curated_datasets

    content {
      path       = "s3://${local.bucket.curated}/${s3_target.value}/"
      exclusions = ["_manifests/**"]
    }
  }

  schema_change_policy {
    delete_behavior = "LOG"
    update_behavior = "UPDATE_IN_DATABASE"
  }

  recrawl_policy {
    recrawl_behavior = "CRAWL_NEW_FOLDERS_ONLY"
  }

  tags = var.tags
}
