"""The recording half of the local IAM check (tooling/local/iam.py): every botocore call, to a log.

Standard library only until a session is created, because iam_site/sitecustomize.py imports it at
the start of every Python process of an end-to-end run.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

# A process started with this on PYTHONPATH and LOG_VAR set records its calls (sitecustomize.py there).
RECORDER_SITE = Path(__file__).resolve().parent / "iam_site"
LOG_VAR = "DATAOPS_IAM_LOG"
# In a sandboxed run, the key the Glue script signs with: the Glue job role's, as on AWS Glue.
GLUE_JOB_KEY_VAR = "DATAOPS_IAM_GLUE_JOB_KEY"


def glue_job_environment(env: Mapping[str, str]) -> dict[str, str]:
    """The AWS variables that make the local Glue run sign as the Glue job role; none outside a sandbox."""
    if GLUE_JOB_KEY_VAR not in env:
        return {}
    key = json.loads(env[GLUE_JOB_KEY_VAR])
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


def record_calls(events: Any, log: Path) -> None:
    """Record every call made through this event emitter (a session's or a client's) to `log`."""

    def capture(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["iam_params"] = {k: v for k, v in params.items() if isinstance(v, str | list | dict)}

    def signer(request_signer: Any, context: dict[str, Any], **_: Any) -> None:
        credentials = request_signer._credentials  # botocore exposes no public accessor
        context["iam_key"] = credentials.get_frozen_credentials().access_key if credentials else ""

    def done(http_response: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
        call = {
            "service": model.service_model.service_name,
            "operation": model.name,
            "params": _jsonable(context.get("iam_params", {})),
            "region": context.get("client_region") or "",
            "key": context.get("iam_key", ""),
            "status": getattr(http_response, "status_code", 0),
        }
        with log.open("a") as out:
            out.write(json.dumps(call) + "\n")

    events.register("before-parameter-build", capture, unique_id="dataops-iam-capture")
    events.register_first("before-call", signer, unique_id="dataops-iam-signer")
    events.register("after-call", done, unique_id="dataops-iam-done")


def record_every_session(log: Path) -> Any:
    """From now on, record the calls of every botocore session created (boto3's and Airflow's hooks'
    alike); returns the original initializer, for `recording_sessions` to put back."""
    import botocore.session

    original = botocore.session.Session.__init__

    def recording_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        record_calls(self.get_component("event_emitter"), log)

    botocore.session.Session.__init__ = recording_init
    return original


@contextlib.contextmanager
def recording_sessions(log: Path) -> Iterator[None]:
    """Record the calls of every botocore session created inside the block."""
    import botocore.session

    original = record_every_session(log)
    try:
        yield
    finally:
        botocore.session.Session.__init__ = original


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
