"""The MWAA REST client: a refused InvokeRestApi call becomes one line saying what to check."""

from __future__ import annotations

import pytest

from tooling.deploy.mwaa_api import import_errors
from tooling.deploy.types import DeployError


def test_import_errors_come_from_the_scheduler_through_invoke_rest_api(mwaa):
    client, stubber = mwaa
    error = {"import_error_id": 1, "filename": "orders_nightly.py", "stack_trace": "No module"}
    stubber.add_response(
        "invoke_rest_api",
        {"RestApiStatusCode": 200, "RestApiResponse": {"import_errors": [error], "total_entries": 1}},
        {"Name": "dataops-staging", "Path": "/importErrors", "Method": "GET"},
    )

    assert import_errors(client, "dataops-staging") == [error]


def test_a_refused_call_names_the_permission_to_check(mwaa):
    client, stubber = mwaa
    stubber.add_client_error(
        "invoke_rest_api", "AccessDeniedException", "not authorized", http_status_code=403
    )

    with pytest.raises(
        DeployError, match=r"refused GET /importErrors \(AccessDeniedException.*airflow:InvokeRestApi"
    ):
        import_errors(client, "dataops-staging")
