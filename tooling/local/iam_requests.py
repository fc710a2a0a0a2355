"""What IAM authorizes for one recorded botocore call: the actions, their resource ARNs, the context.

From the Service Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/
reference/): an S3 object call is authorized on the object ARN, a bucket call on the bucket; a Glue
catalog call needs the catalog, the database and the table; CloudWatch PutMetricData is on `*`
with the `cloudwatch:namespace` key. A call no rule here maps is an error, never a silent allow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# botocore service name -> IAM action prefix, where they differ.
PREFIXES = {"monitoring": "cloudwatch", "mwaa": "airflow"}
# Calls AWS authorizes for every signed request (no policy grants or denies them).
UNCHECKED = {("sts", "GetCallerIdentity")}
# MWAA runs an InvokeRestApi call as this Airflow role: the least one the deploy tool and the
# smoke need (reading import errors, unpausing and triggering a DAG), tooling/deploy/mwaa_api.py.
AIRFLOW_ROLE = "User"

_S3_OBJECT = {
    "GetObject": "s3:GetObject",
    "HeadObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "DeleteObject": "s3:DeleteObject",
    "GetObjectTagging": "s3:GetObjectTagging",
}
_S3_VERSIONED = {"s3:GetObject": "s3:GetObjectVersion", "s3:DeleteObject": "s3:DeleteObjectVersion"}
_S3_BUCKET = {
    "ListObjectsV2": "s3:ListBucket",
    "ListObjects": "s3:ListBucket",
    "HeadBucket": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
    "GetBucketVersioning": "s3:GetBucketVersioning",
    "PutBucketVersioning": "s3:PutBucketVersioning",
    "GetBucketLocation": "s3:GetBucketLocation",
    "CreateBucket": "s3:CreateBucket",
}


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    context: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


class UnmappedCall(LookupError):
    """A call the IAM check cannot decide yet: map it in tooling/local/iam_requests.py."""


def requests_for(call: dict[str, Any], account: str) -> list[Request]:
    service, operation, params = call["service"], call["operation"], call["params"]
    if (service, operation) in UNCHECKED:
        return []
    region = call["region"]
    prefix = PREFIXES.get(service, service)
    action = f"{prefix}:{operation}"
    arn = f"arn:aws:{prefix}:{region}:{account}"
    if service == "s3":
        return _s3(operation, params)
    if service == "sns":
        topic = params.get("TopicArn") or params.get("TargetArn")
        if operation == "CreateTopic":
            topic = f"{arn}:{params['Name']}"
        return [Request(action, topic or "*")]
    if prefix == "cloudwatch":
        context = {"cloudwatch:namespace": params["Namespace"]} if "Namespace" in params else {}
        return [Request(action, "*", context)]
    if service == "glue":
        return _glue(action, arn, params)
    if service == "mwaa":
        if operation == "InvokeRestApi":
            return [Request(action, f"{arn}:role/{params['Name']}/{AIRFLOW_ROLE}")]
        return [Request(action, f"{arn}:environment/{params['Name']}")]
    if service == "secretsmanager":
        return [Request(action, f"{arn}:secret:{params['SecretId']}-AbCdEf")]
    raise UnmappedCall(f"no IAM mapping for {service} {operation}: add one to tooling/local/iam_requests.py")


def _s3(operation: str, params: dict[str, Any]) -> list[Request]:
    bucket = f"arn:aws:s3:::{params.get('Bucket', '')}"
    if operation in _S3_OBJECT:
        action = _S3_OBJECT[operation]
        if params.get("VersionId"):
            action = _S3_VERSIONED.get(action, action)
        return [Request(action, f"{bucket}/{params['Key']}")]
    if operation in _S3_BUCKET:
        context = {"s3:prefix": params["Prefix"]} if "Prefix" in params else {}
        return [Request(_S3_BUCKET[operation], bucket, context)]
    if operation == "CopyObject":
        source = params["CopySource"]
        if isinstance(source, str):
            path, _, query = source.partition("?versionId=")
            source = {"Bucket": path.split("/", 1)[0], "Key": path.split("/", 1)[1], "VersionId": query}
        read = "s3:GetObjectVersion" if source.get("VersionId") else "s3:GetObject"
        return [
            Request(read, f"arn:aws:s3:::{source['Bucket']}/{source['Key']}"),
            Request("s3:PutObject", f"{bucket}/{params['Key']}"),
        ]
    if operation == "DeleteObjects":
        return [Request("s3:DeleteObject", f"{bucket}/{o['Key']}") for o in params["Delete"]["Objects"]]
    if operation == "ListBuckets":
        return [Request("s3:ListAllMyBuckets", "*")]
    raise UnmappedCall(f"no IAM mapping for s3 {operation}: add one to tooling/local/iam_requests.py")


def _glue(action: str, arn: str, params: dict[str, Any]) -> list[Request]:
    if "JobName" in params:
        return [Request(action, f"{arn}:job/{params['JobName']}")]
    if "CrawlerName" in params or action == "glue:StartCrawler":
        return [Request(action, f"{arn}:crawler/{params.get('CrawlerName') or params['Name']}")]
    database = params.get("DatabaseName") or (params.get("Name") if action == "glue:GetDatabase" else None)
    if database is None:
        raise UnmappedCall(f"no IAM mapping for {action}: add one to tooling/local/iam_requests.py")
    resources = [f"{arn}:catalog", f"{arn}:database/{database}"]
    if table := params.get("TableName") or params.get("TableInput", {}).get("Name"):
        resources.append(f"{arn}:table/{database}/{table}")
    return [Request(action, resource) for resource in resources]
