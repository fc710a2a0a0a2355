# Who may change this environment. Only the deployment role, assumed by GitHub Actions through
# OIDC from the repository's main branch or its GitHub environment, changes infrastructure and
# deploys DAGs. People get a read-only role; outside prod they may also get an operator role.

data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = var.aws_region
  github     = "token.actions.githubusercontent.com"

  # Every ARN pattern the project's resources fall under: the deployment role manages these.
  project_s3  = ["arn:aws:s3:::${var.name_prefix}-*", "arn:aws:s3:::airflow-${var.name_prefix}"]
  human_roles = var.human_access_level == "operator" ? ["readonly", "operator"] : ["readonly"]
}

resource "aws_iam_openid_connect_provider" "github" {
  url             = "https://${local.github}"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]
  tags            = var.tags
}

data "aws_iam_policy_document" "deploy_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "${local.github}:sub"
      values = [
        "repo:${var.github_repository}:ref:refs/heads/main",
        "repo:${var.github_repository}:environment:${var.environment}",
      ]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = "${var.name_prefix}-deploy"
  description          = "GitHub Actions (${var.github_repository}, main or environment ${var.environment}): terraform apply and DAG deploys."
  assume_role_policy   = data.aws_iam_policy_document.deploy_assume.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "TerraformState"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"]
    resources = ["arn:aws:s3:::${var.state_bucket}", "arn:aws:s3:::${var.state_bucket}/${var.state_key_prefix}*"]
  }

  statement {
    sid       = "ProjectBuckets"
    actions   = ["s3:*"]
    resources = concat(local.project_s3, [for arn in local.project_s3 : "${arn}/*"])
  }

  statement {
    sid       = "ProjectTopics"
    actions   = ["sns:*"]
    resources = ["arn:aws:sns:${local.region}:${local.account_id}:${var.name_prefix}-*"]
  }

  statement {
    sid     = "ProjectGlue"
    actions = ["glue:*"]
    resources = [
      "arn:aws:glue:${local.region}:${local.account_id}:catalog",
      "arn:aws:glue:${local.region}:${local.account_id}:database/${var.glue_database_name}",
      "arn:aws:glue:${local.region}:${local.account_id}:table/${var.glue_database_name}/*",
      "arn:aws:glue:${local.region}:${local.account_id}:job/${var.glue_job_name}",
      "arn:aws:glue:${local.region}:${local.account_id}:crawler/${var.name_prefix}-*",
    ]
  }

  statement {
    sid       = "ProjectRoles"
    actions   = ["iam:*"]
    resources = ["arn:aws:iam::${local.account_id}:role/${var.name_prefix}-*", "arn:aws:iam::${local.account_id}:oidc-provider/${local.github}"]
  }

  statement {
    sid     = "ProjectMonitoring"
    actions = ["cloudwatch:*", "events:*", "logs:*"]
    resources = [
      "arn:aws:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name_prefix}-*",
      "arn:aws:cloudwatch::${local.account_id}:dashboard/${var.name_prefix}-*",
      "arn:aws:events:${local.region}:${local.account_id}:rule/${var.name_prefix}-*",
      "arn:aws:logs:${local.region}:${local.account_id}:log-group:airflow-${var.name_prefix}-*",
    ]
  }

  statement {
    sid     = "ProjectWarehouse"
    actions = ["redshift:*", "redshift-serverless:*"]
    resources = [
      "arn:aws:redshift:${local.region}:${local.account_id}:*:${var.name_prefix}*",
      "arn:aws:redshift-serverless:${local.region}:${local.account_id}:*",
    ]
  }

  # The MWAA environment: Terraform creates, tags and updates it; the deploy tool
  # (tooling/deploy/deployer.py) reads it (GetEnvironment) and pins new plugins, requirements
  # and startup versions (UpdateEnvironment). Nothing else: no airflow:* on the environment.
  statement {
    sid = "MwaaEnvironment"
    actions = [
      "airflow:CreateEnvironment",
      "airflow:DeleteEnvironment",
      "airflow:GetEnvironment",
      "airflow:ListTagsForResource",
      "airflow:TagResource",
      "airflow:UntagResource",
      "airflow:UpdateEnvironment",
    ]
    resources = ["arn:aws:airflow:${local.region}:${local.account_id}:environment/${var.name_prefix}"]
  }

  # The deploy tool reads the scheduler's import errors, and the smoke test unpauses and triggers
  # the nightly DAG, through MWAA InvokeRestApi. Its resource is the Airflow role the call runs as,
  # arn:aws:airflow:<region>:<account>:role/<environment>/<airflow-role> ("Using the Apache Airflow
  # REST API", Amazon MWAA User Guide, https://docs.aws.amazon.com/mwaa/latest/userguide/access-mwaa-apache-airflow-rest-api.html).
  # User is the least Airflow role that may unpause a DAG and create a DAG run. The tool needs no
  # web login or CLI token (CreateWebLoginToken, CreateCliToken), so neither is granted.
  statement {
    sid       = "AirflowRestApiAsUser"
    actions   = ["airflow:InvokeRestApi"]
    resources = ["arn:aws:airflow:${local.region}:${local.account_id}:role/${var.name_prefix}/User"]
  }

  # Each deploy and rollback, and `make dora`, send the DORA metrics computed from the deployment
  # log (tooling/deploy/__main__.py _publish_dora). PutMetricData has no resource type: the
  # namespace condition is what scopes it.
  statement {
    sid       = "PublishDoraMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = [var.metrics_namespace]
    }
  }

  statement {
    sid       = "ProjectKey"
    actions   = ["kms:*"]
    resources = ["arn:aws:kms:${local.region}:${local.account_id}:key/*", "arn:aws:kms:${local.region}:${local.account_id}:alias/${var.name_prefix}"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [var.environment]
    }
  }

  statement {
    sid = "CreateAndDescribe"
    actions = [
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSubnets",
      "ec2:DescribeVpcs",
      "glue:CreateSecurityConfiguration",
      "glue:DeleteSecurityConfiguration",
      "glue:GetSecurityConfiguration",
      "glue:GetSecurityConfigurations",
      "kms:CreateKey",
      "kms:ListAliases",
      "lakeformation:GetDataLakeSettings",
      "lakeformation:GetResourceLakeFormationTags",
      "lakeformation:GrantPermissions",
      "lakeformation:ListPermissions",
      "lakeformation:PutDataLakeSettings",
      "lakeformation:RegisterResource",
      "lakeformation:RevokePermissions",
      "lakeformation:DeregisterResource",
      "lakeformation:DescribeResource",
      "logs:DescribeLogGroups",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "terraform-and-deploy"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}

# ---------------------------------------------------------------- people

data "aws_iam_policy_document" "human_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = var.human_principal_arns
    }

    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["true"]
    }
  }
}

resource "aws_iam_role" "human" {
  for_each = toset(local.human_roles)

  name                 = "${var.name_prefix}-${each.key}"
  description          = "People, ${each.key} access to ${var.name_prefix}."
  assume_role_policy   = data.aws_iam_policy_document.human_assume.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "readonly" {
  statement {
    sid = "ListMonitoring"
    actions = [
      "cloudwatch:GetMetricData",
      "cloudwatch:ListDashboards",
      "cloudwatch:ListMetrics",
      "logs:DescribeLogGroups",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "ReadProjectAlarmsAndDashboard"
    actions   = ["cloudwatch:DescribeAlarms", "cloudwatch:GetDashboard"]
    resources = ["arn:aws:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name_prefix}-*", "arn:aws:cloudwatch::${local.account_id}:dashboard/${var.name_prefix}-*"]
  }

  statement {
    sid       = "ReadProjectLogs"
    actions   = ["logs:FilterLogEvents", "logs:GetLogEvents", "logs:StartQuery", "logs:GetQueryResults"]
    resources = ["arn:aws:logs:${local.region}:${local.account_id}:log-group:airflow-${var.name_prefix}-*", "arn:aws:logs:${local.region}:${local.account_id}:log-group:/aws-glue/*"]
  }

  statement {
    sid       = "ReadAirflowUi"
    actions   = ["airflow:CreateWebLoginToken", "airflow:GetEnvironment"]
    resources = ["arn:aws:airflow:${local.region}:${local.account_id}:environment/${var.name_prefix}", "arn:aws:airflow:${local.region}:${local.account_id}:role/${var.name_prefix}/Viewer"]
  }

  statement {
    sid       = "ReadGlue"
    actions   = ["glue:GetCrawler", "glue:GetDatabase", "glue:GetJob", "glue:GetJobRun", "glue:GetJobRuns", "glue:GetTable", "glue:GetTables"]
    resources = ["arn:aws:glue:${local.region}:${local.account_id}:*"]
  }

  statement {
    sid       = "ReadArtifacts"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["arn:aws:s3:::${var.artifacts_bucket}", "arn:aws:s3:::${var.artifacts_bucket}/*"]
  }

  statement {
    sid       = "DecryptArtifacts"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "readonly" {
  for_each = aws_iam_role.human

  name   = "dataops-readonly"
  role   = each.value.id
  policy = data.aws_iam_policy_document.readonly.json
}

data "aws_iam_policy_document" "operator" {
  statement {
    sid       = "RerunTheJob"
    actions   = ["glue:BatchStopJobRun", "glue:StartJobRun"]
    resources = ["arn:aws:glue:${local.region}:${local.account_id}:job/${var.glue_job_name}"]
  }

  statement {
    sid       = "OperateAirflow"
    actions   = ["airflow:CreateCliToken", "airflow:CreateWebLoginToken"]
    resources = ["arn:aws:airflow:${local.region}:${local.account_id}:environment/${var.name_prefix}", "arn:aws:airflow:${local.region}:${local.account_id}:role/${var.name_prefix}/Op"]
  }
}

resource "aws_iam_role_policy" "operator" {
  for_each = { for name, role in aws_iam_role.human : name => role if name == "operator" }

  name   = "dataops-operator"
  role   = each.value.id
  policy = data.aws_iam_policy_document.operator.json
}
