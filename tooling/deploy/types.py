"""The deploy tool's shared value types: where an environment lives, the commit shipped, the error.

A leaf module (standard library only), so every other deploy module can import it without cycles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# The Airflow REST API as the deploy tool speaks it: call(method, path under /api/v2, body,
# **query) -> the parsed response. On MWAA, InvokeRestApi (mwaa_api.invoke_airflow); in tests, a
# client of a real local Airflow.
AirflowCall = Callable[..., dict[str, Any]]

CLOUD_ENVIRONMENTS = ("dev", "staging", "prod")
# The files MWAA pins by object version: our name -> (path field, version field, default key).
PINNED = {
    "plugins": ("PluginsS3Path", "PluginsS3ObjectVersion", "plugins.zip"),
    "requirements": ("RequirementsS3Path", "RequirementsS3ObjectVersion", "requirements.txt"),
    "startup": ("StartupScriptS3Path", "StartupScriptS3ObjectVersion", "startup.sh"),
}


class DeployError(RuntimeError):
    """A deployment problem a user can act on; the message says what and how, in one line."""


@dataclass(frozen=True)
class Target:
    """Where one environment lives in AWS."""

    environment: str
    region: str
    mwaa_environment: str
    dags_bucket: str
    artifacts_bucket: str
    scripts_bucket: str
    notifications_topic_arn: str


@dataclass(frozen=True)
class Commit:
    """The commit a deployment ships; its time is where DORA's lead time starts."""

    sha: str
    time: str


def aws_error(exc: Any) -> str:
    """A botocore ClientError as `Code: Message`, short enough for a one-line error."""
    error = exc.response.get("Error", {})
    return f"{error.get('Code', 'Error')}: {error.get('Message', exc)}"
