"""Least privilege, written down: every action a role's Terraform policy grants, and why.

CALLED names the code path that makes the call; NOT_CALLED is the explicit allow-list of grants no
code of this repository calls, each with the reason it stays (AWS itself acts as the role, or
Terraform does). Keys are the action patterns exactly as the .tf files write them.
tests/infra/test_iam_policies.py holds the keys to the rendered policies (no grant unexplained, no
stale entry), and the IAM check (tooling/local/iam.py) fails a recorded call CALLED does not cover.
"""

from __future__ import annotations

_GLUE_OPERATOR = "include/dataops/airflow/glue.py GlueJobOperator (cloud runner)"
_MWAA = "Amazon MWAA itself, as the execution role (MWAA User Guide, 'Amazon MWAA execution role')"
_KMS = "S3, SNS and CloudWatch Logs call KMS as the role for objects, messages and logs under the key"
_TERRAFORM = "terraform apply runs as this role (.github/workflows, infra/terraform)"
_CATALOG_WRITES = ("BatchCreatePartition", "CreatePartition", "CreateTable", "UpdatePartition", "UpdateTable")
_REGISTER = "include/dataops/pipeline/catalog.py register_day (GlueCatalogHook)"
_GLUE_SERVICE = "AWS Glue itself, for the job's default arguments (modules/glue/main.tf)"

CALLED: dict[str, dict[str, str]] = {
    "mwaa_execution": {
        "s3:GetObject": "S3Hook reads: dbt timing history, run history, GX results (include/dataops)",
        "s3:ListBucket": "S3Hook check_for_key and listings of the artifacts bucket",
        "s3:PutObject": "S3Hook writes to the artifacts bucket: published marker, run records, reports",
        "cloudwatch:PutMetricData": "include/dataops/observability/metrics.py put_metric_data",
        "sns:Publish": "include/dataops/observability/notify.py SnsHook",
        "glue:StartJobRun": _GLUE_OPERATOR,
        "glue:GetJobRun": f"{_GLUE_OPERATOR}, waiting for the run",
        "glue:GetJob": f"{_GLUE_OPERATOR}, initialize_job",
        "glue:BatchStopJobRun": f"{_GLUE_OPERATOR}, stop_job_run_on_kill",
        "logs:FilterLogEvents": f"{_GLUE_OPERATOR}, verbose: the job's log lines",
        "logs:GetLogEvents": f"{_GLUE_OPERATOR}, verbose; and Airflow's CloudWatch task log reader",
        "secretsmanager:GetSecretValue": "Airflow's SecretsManagerBackend (secrets.backend, mwaa/main.tf)",
        "glue:GetTable": f"{_REGISTER}: the dataset's table, created or brought up to the day's columns",
        **{
            f"glue:{a}": _REGISTER
            for a in ("BatchCreatePartition", "CreateTable", "UpdatePartition", "UpdateTable")
        },
    },
    "deploy": {
        "s3:*": "tooling/deploy: DAG, plugins, requirements, scripts uploads and the deployment log",
        "sns:*": "tooling/deploy/notify.py publish (and Terraform's topics)",
        "cloudwatch:PutMetricData": "tooling/deploy/__main__.py _publish_dora",
        "airflow:GetEnvironment": "tooling/deploy/deployer.py",
        "airflow:UpdateEnvironment": "tooling/deploy/deployer.py",
        "airflow:InvokeRestApi": "tooling/deploy/mwaa_api.py import errors and the smoke",
    },
    "glue_job": {
        "s3:GetObject": "glue_jobs/orders_transform.py reads raw through Hadoop's S3 filesystem",
        "s3:ListBucket": "glue_jobs/orders_transform.py lists the raw partition and its outputs",
        "s3:PutObject": "glue_jobs/orders_transform.py writes curated, quarantine and the manifest",
        "s3:DeleteObject": "glue_jobs/orders_transform.py overwrites the day's partition",
    },
}

NOT_CALLED: dict[str, dict[str, str]] = {
    "mwaa_execution": {
        "airflow:PublishMetrics": _MWAA,
        "s3:GetAccountPublicAccessBlock": _MWAA,
        "s3:GetBucketLocation": _MWAA,
        "s3:GetBucketVersioning": f"{_MWAA}: the source bucket's versioned plugins and requirements",
        "s3:GetObjectVersion": f"{_MWAA}: the pinned plugins, requirements and startup versions",
        **{
            f"logs:{a}": f"{_MWAA}: Airflow's task, scheduler and worker logs"
            for a in ("CreateLogGroup", "CreateLogStream", "PutLogEvents", "GetLogGroupFields")
        },
        "logs:GetLogRecord": f"{_MWAA}: the Airflow UI's log view",
        "logs:GetQueryResults": f"{_MWAA}: the Airflow UI's log view",
        "logs:DescribeLogGroups": _MWAA,
        **{
            f"sqs:{a}": f"{_MWAA}: the Celery executor's queue"
            for a in (
                "ChangeMessageVisibility",
                "DeleteMessage",
                "GetQueueAttributes",
                "GetQueueUrl",
                "ReceiveMessage",
                "SendMessage",
            )
        },
        **{f"kms:{a}": _KMS for a in ("Decrypt", "DescribeKey", "Encrypt", "GenerateDataKey*")},
    },
    "deploy": {
        **{
            action: _TERRAFORM
            for action in (
                "airflow:CreateEnvironment",
                "airflow:DeleteEnvironment",
                "airflow:ListTagsForResource",
                "airflow:TagResource",
                "airflow:UntagResource",
                "cloudwatch:*",
                "events:*",
                "glue:*",
                "iam:*",
                "kms:*",
                "logs:*",
                "redshift:*",
                "redshift-serverless:*",
                "s3:DeleteObject",
                "s3:GetObject",
                "s3:ListBucket",
                "s3:PutObject",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
                "glue:CreateSecurityConfiguration",
                "glue:DeleteSecurityConfiguration",
                "glue:GetSecurityConfiguration",
                "glue:GetSecurityConfigurations",
                "kms:CreateKey",
                "kms:ListAliases",
                "logs:DescribeLogGroups",
            )
        },
        **{
            f"lakeformation:{a}": _TERRAFORM
            for a in (
                "DeregisterResource",
                "DescribeResource",
                "GetDataLakeSettings",
                "GetResourceLakeFormationTags",
                "GrantPermissions",
                "ListPermissions",
                "PutDataLakeSettings",
                "RegisterResource",
                "RevokePermissions",
            )
        },
    },
    "glue_job": {
        "s3:GetBucketLocation": f"{_GLUE_SERVICE}: Glue fetches the script from the scripts bucket",
        "s3:GetObjectVersion": f"{_GLUE_SERVICE}: the script object, versioned",
        **{f"kms:{a}": _KMS for a in ("Decrypt", "DescribeKey", "Encrypt", "GenerateDataKey")},
        **{
            f"logs:{a}": f"{_GLUE_SERVICE}: --enable-continuous-cloudwatch-log"
            for a in ("AssociateKmsKey", "CreateLogGroup", "CreateLogStream", "PutLogEvents")
        },
        "cloudwatch:PutMetricData": f"{_GLUE_SERVICE}: --enable-metrics",
        "lakeformation:GetDataAccess": f"{_GLUE_SERVICE}: the curated location is Lake Formation registered",
        **{
            f"glue:{a}": f"{_GLUE_SERVICE}: --enable-glue-datacatalog (Spark's metastore is the catalog)"
            for a in ("GetDatabase", "GetTable", "GetTables", "GetPartition", "GetPartitions")
        },
        **{
            f"glue:{a}": "not called yet: kept for the job's registration of the day's partitions (issue 12)"
            for a in _CATALOG_WRITES
        },
    },
}
