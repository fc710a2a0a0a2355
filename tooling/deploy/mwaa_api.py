"""The environment's Airflow REST API (v2 on Airflow 3), reached through MWAA InvokeRestApi.

InvokeRestApi signs the call with the caller's IAM credentials (airflow:InvokeRestApi), so no web
login token or session cookie is needed; the response body arrives already parsed.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tooling.deploy.types import DeployError, aws_error


def invoke_airflow(
    mwaa: Any, environment: str, method: str, path: str, body: dict[str, Any] | None = None, **query: Any
) -> dict[str, Any]:
    """Call the environment's Airflow REST API; a refusal becomes a DeployError saying what to check."""
    arguments: dict[str, Any] = {"Name": environment, "Path": path, "Method": method}
    if body is not None:
        arguments["Body"] = body
    if query:
        arguments["QueryParameters"] = query
    try:
        response = mwaa.invoke_rest_api(**arguments)
    except ClientError as exc:
        raise DeployError(
            f"The Airflow API of {environment} refused {method} {path} ({aws_error(exc)}): check the "
            "role's airflow:InvokeRestApi permission and that the environment is AVAILABLE."
        ) from None
    return response.get("RestApiResponse") or {}


def import_errors(mwaa: Any, environment: str) -> list[dict[str, Any]]:
    """DAG import errors as the environment's scheduler reports them."""
    return list(invoke_airflow(mwaa, environment, "GET", "/importErrors").get("import_errors", []))
