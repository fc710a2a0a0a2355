# The freshness Lambda: every freshness_schedule_minutes it reads each critical table's newest
# timestamp through the Redshift Data API and publishes DataFreshness per table, so staleness is
# reported even when the pipeline or MWAA is down. Its code is lambdas/freshness/handler.py with
# the three standard-library modules it imports; the SLAs come from dbt (meta.freshness), the
# same YAML the alarms read (modules/observability/alarms.tf).
#
# The role is this function's alone: write its own logs, put metrics in one namespace, query
# through the Data API with its IAM identity (no password), and append stale-table incidents to
# the run history. In the warehouse, grant that identity read access to the marts:
#   grant usage on schema analytics to "IAMR:<role name>"; grant select on all tables in schema analytics to "IAMR:<role name>";

locals {
  repo      = "${path.module}/../../../.."
  function  = "${var.name_prefix}-freshness"
  # A workgroup's ARN ends in its generated id, not its name: any workgroup of this account.
  workgroup = "arn:aws:redshift-serverless:${var.aws_region}:${var.aws_account_id}:workgroup/*"
  dbt_marts = yamldecode(file("${local.repo}/dbt/models/marts/_marts.yml")).models
  slas      = { for model in local.dbt_marts : model.name => model.config.meta.freshness if can(model.config.meta.freshness) }
  package = [
    "include/__init__.py",
    "include/dataops/__init__.py",
    "include/dataops/observability/__init__.py",
    "include/dataops/observability/freshness.py",
    "include/dataops/observability/run_history.py",
    "include/dataops/warehouse_engines.py",
    "lambdas/__init__.py",
    "lambdas/freshness/__init__.py",
    "lambdas/freshness/handler.py",
  ]
}

data "archive_file" "handler" {
  type        = "zip"
  output_path = "${path.module}/.build/freshness.zip"

  dynamic "source" {
    for_each = local.package
    content {
      content  = file("${local.repo}/${source.value}")
      filename = source.value
    }
  }
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${local.function}"
  retention_in_days = 365
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = local.function
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }
  statement {
    sid       = "FreshnessMetricsOnly"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"] # PutMetricData has no resource ARN; the condition pins the namespace
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = [var.metrics_namespace]
    }
  }
  statement {
    sid     = "QueryTheWarehouse"
    actions = ["redshift-data:ExecuteStatement"]
    resources = [local.workgroup, "arn:aws:redshift:${var.aws_region}:${var.aws_account_id}:cluster:${var.name_prefix}"]
  }
  statement {
    sid       = "ReadOwnStatements"
    actions   = ["redshift-data:DescribeStatement", "redshift-data:GetStatementResult"]
    resources = ["*"] # statement ids have no ARN; the condition limits them to this role's own
    condition {
      test     = "StringEquals"
      variable = "redshift-data:statement-owner-iam-userid"
      values   = ["$${aws:userid}"]
    }
  }
  statement {
    sid       = "IamDatabaseCredentials"
    actions   = ["redshift-serverless:GetCredentials", "redshift:GetClusterCredentialsWithIAM"]
    resources = [local.workgroup, "arn:aws:redshift:${var.aws_region}:${var.aws_account_id}:dbname:${var.name_prefix}/${var.redshift_database}"]
  }
  statement {
    sid       = "AppendIncidents"
    actions   = ["s3:PutObject"]
    resources = ["arn:aws:s3:::${var.artifacts_bucket}/runs/history/${var.environment}/*"]
  }
  statement {
    sid       = "EncryptIncidentsAndLogs"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "freshness"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:The Redshift Data API is a public AWS endpoint; the function needs no VPC.
  #checkov:skip=CKV_AWS_272:Code signing needs a signing profile the project does not run; Terraform builds the package from the reviewed repository.
  #checkov:skip=CKV_AWS_116:A scheduled measurement has no event worth replaying: the next run measures again, and two silent periods page.
  function_name                  = local.function
  description                    = "Publishes DataFreshness per critical table (SLAs from dbt meta.freshness)."
  role                           = aws_iam_role.this.arn
  runtime                        = "python3.12"
  handler                        = "lambdas.freshness.handler.handler"
  filename                       = data.archive_file.handler.output_path
  source_code_hash               = data.archive_file.handler.output_base64sha256
  timeout                        = 120
  memory_size                    = 256
  reserved_concurrent_executions = 1
  kms_key_arn                    = var.kms_key_arn
  tags                           = var.tags

  tracing_config {
    mode = "Active"
  }

  environment {
    variables = {
      FRESHNESS_SLAS     = jsonencode(local.slas)
      WAREHOUSE_SCHEMA   = var.warehouse_schema
      METRICS_NAMESPACE  = var.metrics_namespace
      ENVIRONMENT        = var.environment
      ARTIFACTS_BUCKET   = var.artifacts_bucket
      WAREHOUSE_ENGINE   = "redshift"
      REDSHIFT_DATABASE  = var.redshift_database
      REDSHIFT_WORKGROUP = var.redshift_deployment == "serverless" ? var.name_prefix : ""
      REDSHIFT_CLUSTER   = var.redshift_deployment == "serverless" ? "" : var.name_prefix
    }
  }

  depends_on = [aws_cloudwatch_log_group.this]
}

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = local.function
  description         = "Runs the freshness Lambda every ${var.freshness_schedule_minutes} minutes."
  schedule_expression = "rate(${var.freshness_schedule_minutes} minutes)"
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  rule = aws_cloudwatch_event_rule.schedule.name
  arn  = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "schedule" {
  statement_id  = "AllowSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule.arn
}
