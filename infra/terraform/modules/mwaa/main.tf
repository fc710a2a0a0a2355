# The Airflow 3.2.1 environment on Amazon MWAA and its execution role. The role reaches only this
# project's buckets, topics, Glue job and crawler, metric namespace and secrets prefixes. Each
# action is one a code path calls or is listed with its reason in tooling/local/iam_grants.py.

data "aws_caller_identity" "current" {}

locals {
  account_id  = data.aws_caller_identity.current.account_id
  environment = "arn:aws:airflow:${var.aws_region}:${local.account_id}:environment/${var.name}"
  bucket      = var.bucket_names
  secret_arn  = "arn:aws:secretsmanager:${var.aws_region}:${local.account_id}:secret"
  lake_zones  = ["raw", "curated", "quarantine", "artifacts", "scripts", "temp"]
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-mwaa-execution"
  description        = "Execution role of the ${var.name} MWAA environment."
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "PublishEnvironmentMetrics"
    actions   = ["airflow:PublishMetrics"]
    resources = [local.environment]
  }

  statement {
    sid       = "ReadSourceBucket"
    actions   = ["s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]
    resources = [var.source_bucket_arn, "${var.source_bucket_arn}/*"]
  }

  statement {
    sid       = "CheckAccountPublicAccessBlock"
    actions   = ["s3:GetAccountPublicAccessBlock"]
    resources = ["*"]
  }

  statement {
    sid       = "ListLake"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket"]
    resources = [for zone in local.lake_zones : "arn:aws:s3:::${local.bucket[zone]}"]
  }

  statement {
    sid     = "ReadLake"
    actions = ["s3:GetObject"]
    resources = [
      "arn:aws:s3:::${local.bucket.raw}/*",
      "arn:aws:s3:::${local.bucket.curated}/*",
      "arn:aws:s3:::${local.bucket.quarantine}/*",
    ]
  }

  statement {
    sid       = "WriteArtifacts"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["arn:aws:s3:::${local.bucket.artifacts}/*"]
  }

  statement {
    sid       = "UseEnvironmentKey"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid = "AirflowLogs"
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:GetLogEvents",
      "logs:GetLogGroupFields",
      "logs:GetLogRecord",
      "logs:GetQueryResults",
      "logs:PutLogEvents",
    ]
    resources = ["arn:aws:logs:${var.aws_region}:${local.account_id}:log-group:airflow-${var.name}-*"]
  }

  statement {
    sid       = "ReadGlueJobLogs"
    actions   = ["logs:FilterLogEvents", "logs:GetLogEvents"]
    resources = ["arn:aws:logs:${var.aws_region}:${local.account_id}:log-group:/aws-glue/*"]
  }

  statement {
    sid       = "DescribeLogGroups"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["*"]
  }

  statement {
    sid       = "PutMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["AmazonMWAA", var.metrics_namespace]
    }
  }

  statement {
    sid = "CeleryQueues"
    actions = [
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:ReceiveMessage",
      "sqs:SendMessage",
    ]
    resources = ["arn:aws:sqs:${var.aws_region}:*:airflow-celery-*"]
  }

  statement {
    sid       = "RunOrdersTransform"
    actions   = ["glue:BatchStopJobRun", "glue:GetJob", "glue:GetJobRun", "glue:StartJobRun"]
    resources = [var.glue_job_arn]
  }

  statement {
    sid       = "DescribeCuratedCatalog"
    actions   = ["glue:GetTable"]
    resources = var.glue_catalog_arns
  }

  # register_partitions: the day's curated partitions, so Redshift Spectrum sees them.
  statement {
    sid       = "RegisterCuratedPartitions"
    actions   = ["glue:BatchCreatePartition", "glue:CreateTable", "glue:UpdatePartition", "glue:UpdateTable"]
    resources = var.glue_catalog_arns
  }

  statement {
    sid       = "PublishToProjectTopics"
    actions   = ["sns:Publish"]
    resources = [for topic in var.topic_names : "arn:aws:sns:${var.aws_region}:${local.account_id}:${topic}"]
  }

  statement {
    sid     = "ReadAirflowSecrets"
    actions = ["secretsmanager:GetSecretValue"]
    resources = [
      "${local.secret_arn}:${var.connections_prefix}/*",
      "${local.secret_arn}:${var.variables_prefix}/*",
    ]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "mwaa-execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_mwaa_environment" "this" {
  name                             = var.name
  airflow_version                  = "3.2.1"
  environment_class                = var.environment_class
  min_workers                      = var.min_workers
  max_workers                      = var.max_workers
  execution_role_arn               = aws_iam_role.execution.arn
  kms_key                          = var.kms_key_arn
  webserver_access_mode            = "PRIVATE_ONLY"
  source_bucket_arn                = var.source_bucket_arn
  dag_s3_path                      = "dags"
  plugins_s3_path                  = var.plugins_s3_path
  plugins_s3_object_version        = var.plugins_s3_object_version
  requirements_s3_path             = var.requirements_s3_path
  requirements_s3_object_version   = var.requirements_s3_object_version
  startup_script_s3_path           = var.startup_script_s3_path
  startup_script_s3_object_version = var.startup_script_s3_object_version
  weekly_maintenance_window_start  = var.weekly_maintenance_window_start
  tags                             = var.tags

  # dataops.environment reaches the tasks as AIRFLOW__DATAOPS__ENVIRONMENT, which
  # include/dataops/settings.py reads to pick include/config/<env>.yaml.
  airflow_configuration_options = merge({
    "dataops.environment"    = var.environment
    "secrets.backend"        = "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend"
    "secrets.backend_kwargs" = jsonencode({ connections_prefix = var.connections_prefix, variables_prefix = var.variables_prefix })
    # One botocore model loader per task process, not one per hook call (include/dataops/airflow/aws_session.py).
    "aws.session_factory" = "include.dataops.airflow.aws_session.SharedLoaderSessionFactory"
  }, local.lineage_configuration_options) # lineage.tf

  network_configuration {
    subnet_ids         = var.subnet_ids
    security_group_ids = var.security_group_ids
  }

  logging_configuration {
    dag_processing_logs {
      enabled   = true
      log_level = var.log_level
    }

    scheduler_logs {
      enabled   = true
      log_level = var.log_level
    }

    task_logs {
      enabled   = true
      log_level = var.log_level
    }

    webserver_logs {
      enabled   = true
      log_level = var.log_level
    }

    worker_logs {
      enabled   = true
      log_level = var.log_level
    }
  }

  depends_on = [aws_iam_role_policy.execution]
}
