"""IAM enforced on the local AWS twin: principals with Terraform's policies, and every call checked.

Two layers, because neither is enough alone:

- moto's own enforcement. The emulator starts with IAM off, creates an admin user (setup calls:
  buckets, topics, principals) and one IAM user per role holding that role's rendered policy, then
  turns enforcement on (moto's `/moto-api/reset-auth`, the server-mode switch behind
  `INITIAL_NO_AUTH_ACTION_COUNT`). From then on a call signed with an unknown key fails, and an S3
  call is allowed only if the policy grants its action on its bucket or object ARN. moto checks
  every other service's call against resource `*` and ignores conditions, so the policy moto holds
  has its non-S3 statements widened to `*`, without conditions, and CloudWatch's actions also
  under the signing name moto checks them by, `monitoring:` (`moto_document`).
- The exact check. Every botocore call the code makes is recorded (events `before-parameter-build`,
  `before-call`, `after-call`: service, operation, parameters, signing key, HTTP status) and
  decided afterwards by `tooling.local.iam_policy.decide` against the exact rendered policy,
  conditions and resource ARNs included. A denial names the action, the resource and the policy.
"""

from __future__ import annotations

import functools
import json
import os
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from include.dataops.settings import REPO_ROOT, load_settings
from tooling.local import iam_grants, iam_policy
from tooling.local.iam_recorder import GLUE_JOB_KEY_VAR, LOG_VAR, RECORDER_SITE, recording_sessions
from tooling.local.iam_requests import requests_for

# Beside the emulator's PID and port (tooling/local/emulator.py LOCAL_DIR).
KEYS_FILE = REPO_ROOT / ".local" / "iam-keys.json"
ADMIN = "admin"
_SETUP_KEY = "testing"  # any key passes while moto's enforcement is still off
# The recorder's names the tests use, through this module.
__all__ = ["LOG_VAR", "RECORDER_SITE", "recording_sessions"]
_ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


class IamError(RuntimeError):
    """The local IAM set-up cannot be used; the message says how to fix it."""


def user_name(role: str) -> str:
    return f"dataops-local-{role.replace('_', '-')}"


def moto_document(policy: dict[str, Any]) -> dict[str, Any]:
    """The policy as moto can evaluate it: S3 statements exact, the others on `*`, no conditions."""
    statements = []
    for statement in policy["Statement"]:
        shaped = {k: v for k, v in statement.items() if k != "Condition"}
        if "Action" in shaped:
            actions = [str(a) for a in shaped["Action"]]
            shaped["Action"] = actions + [
                f"monitoring:{a[11:]}" for a in actions if a.startswith("cloudwatch:")
            ]
        if not all(str(a).lower().startswith("s3:") for a in shaped.get("Action", ["*"])):
            shaped["Resource"] = "*"
        statements.append(shaped)
    return {**policy, "Statement": statements}


def _iam_client(endpoint: str, key: dict[str, str]) -> Any:
    import boto3

    return boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name=load_settings("local").aws_region,
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )


def _stored_keys() -> dict[str, dict[str, str]]:
    return json.loads(KEYS_FILE.read_text()) if KEYS_FILE.exists() else {}


def _usable(iam: Any, name: str, key: dict[str, str] | None) -> bool:
    """Whether the user exists on this server and still holds the stored key."""
    if key is None:
        return False
    try:
        listed = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
    except iam.exceptions.NoSuchEntityException:
        return False
    return any(k["AccessKeyId"] == key["AccessKeyId"] for k in listed)


def provision(endpoint: str) -> dict[str, str]:
    """Create (or reuse) the admin and role users, put each role's policy, turn enforcement on.

    Returns the admin key. Safe to run again on a running emulator: stored keys are reused.
    """
    stored = _stored_keys()
    admin_key = stored.get(ADMIN) or {"AccessKeyId": _SETUP_KEY, "SecretAccessKey": _SETUP_KEY}
    iam = _iam_client(endpoint, admin_key)
    from botocore.exceptions import ClientError

    keys: dict[str, dict[str, str]] = {}
    try:
        for name, document in [(ADMIN, _ADMIN_POLICY)] + [
            (role, moto_document(iam_policy.document(role))) for role in iam_policy.ROLES
        ]:
            user = user_name(name)
            if not _usable(iam, user, stored.get(name)):
                if not any(u["UserName"] == user for u in iam.list_users()["Users"]):
                    iam.create_user(UserName=user)
                created = iam.create_access_key(UserName=user)["AccessKey"]
                stored[name] = {
                    "AccessKeyId": created["AccessKeyId"],
                    "SecretAccessKey": created["SecretAccessKey"],
                }
            iam.put_user_policy(UserName=user, PolicyName="terraform", PolicyDocument=json.dumps(document))
            keys[name] = stored[name]
    except ClientError as err:
        raise IamError(
            f"The emulator enforces IAM but rejects the keys in {KEYS_FILE} ({err}): "
            "restart it with `make emulator-down emulator`."
        ) from None
    KEYS_FILE.parent.mkdir(parents=True, exist_ok=True)
    KEYS_FILE.write_text(json.dumps(keys, indent=2))
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"}
    )
    with urllib.request.urlopen(request, timeout=10):
        pass
    return keys[ADMIN]


def key_of(role: str) -> dict[str, str]:
    """The role user's key; its policy in moto is first brought up to date with the .tf files."""
    keys = _stored_keys()
    if role not in keys:
        raise IamError(f"No local IAM user for {role} in {KEYS_FILE}: run `make emulator` to create it.")
    if role != ADMIN:
        _refresh_policy(role)
    return keys[role]


@functools.cache
def _refresh_policy(role: str) -> None:
    """Once per process: moto's copy of the policy follows .tf edits made since `make emulator`."""
    iam = _iam_client(os.environ["AWS_ENDPOINT_URL"], _stored_keys()[ADMIN])
    document = json.dumps(moto_document(iam_policy.document(role)))
    iam.put_user_policy(UserName=user_name(role), PolicyName="terraform", PolicyDocument=document)


def principal_environment(role: str, log: Path, base: dict[str, str]) -> dict[str, str]:
    """Variables that make a process call AWS as `role` and record every call to `log`; the local
    Glue runner it starts signs as the Glue job role (tooling/local/glue_job.py)."""
    key = key_of(role)
    conn = json.loads(base["AIRFLOW_CONN_AWS_DEFAULT"])
    conn.update(login=key["AccessKeyId"], password=key["SecretAccessKey"])
    return {
        "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(conn),
        "PYTHONPATH": os.pathsep.join(p for p in (str(RECORDER_SITE), base.get("PYTHONPATH", "")) if p),
        LOG_VAR: str(log),
        GLUE_JOB_KEY_VAR: json.dumps(key_of("glue_job")),
    }


@dataclass(frozen=True)
class Denial:
    role: str
    action: str
    resource: str
    operation: str
    by_moto: bool = False
    context: str = ""

    def __str__(self) -> str:
        source = iam_policy.ROLES[self.role].source
        if self.by_moto:
            return (
                f"moto's IAM refused {self.operation} ({self.action} on {self.resource}) to {self.role}, "
                f"though {source} allows it"
            )
        return (
            f"IAM denies {self.action} on {self.resource}{self.context} ({self.operation}) to {self.role}: "
            f"no statement of {source} allows it; grant it there or stop making the call."
        )


def recorded(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def denials(
    calls: Iterable[dict[str, Any]], policies: dict[str, dict[str, Any]] | None = None
) -> list[Denial]:
    """Every recorded call the exact policy of its principal denies, or that moto refused."""
    roles = {key["AccessKeyId"]: role for role, key in _stored_keys().items() if role != ADMIN}
    policies = policies or {}
    found: list[Denial] = []
    for call in calls:
        role = roles.get(call["key"])
        if role is None:
            continue  # the admin's setup calls, or a client outside the emulator
        policy = policies.get(role) or policies.setdefault(role, iam_policy.document(role))
        for request in requests_for(call, load_settings("local").aws_account_id):
            decision = iam_policy.decide(policy, request.action, request.resource, request.context)
            if not decision.allowed or call["status"] == 403:
                context = f" with {json.dumps(request.context)}" if request.context else ""
                denial = Denial(
                    role, request.action, request.resource, call["operation"], decision.allowed, context
                )
                found.append(denial)
    return list(dict.fromkeys(found))


def undeclared(calls: Iterable[dict[str, Any]]) -> list[str]:
    """Recorded actions that tooling/local/iam_grants.py CALLED credits to no code path."""
    roles = {key["AccessKeyId"]: role for role, key in _stored_keys().items() if role != ADMIN}
    found = []
    for call in calls:
        role = roles.get(call["key"])
        if role is None:
            continue
        for request in requests_for(call, load_settings("local").aws_account_id):
            if not any(iam_policy.like(p, request.action, case=False) for p in iam_grants.CALLED[role]):
                found.append(
                    f"{role} calls {request.action} ({call['operation']}) but tooling/local/iam_grants.py "
                    "CALLED names no code path for it: add it there."
                )
    return list(dict.fromkeys(found))


def unsigned_by_a_role(calls: Iterable[dict[str, Any]]) -> list[str]:
    """Calls signed with a key no role holds (the admin's, or a stray one): nothing decided them."""
    roles = {key["AccessKeyId"] for role, key in _stored_keys().items() if role != ADMIN}
    return [
        f"{c['service']} {c['operation']} was signed with key {c['key'] or '(none)'}, not a role's: "
        "the run's AWS credentials must be the role's (tooling/local/iam.py principal_environment)."
        for c in calls
        if c["key"] not in roles
    ]


def assert_allowed(log: Path, setup_calls: bool = False) -> list[dict[str, Any]]:
    """The recorded calls, after failing on any denial, a call the grants' ledger does not credit,
    or (unless `setup_calls`, the admin's) a call no role signed."""
    calls = recorded(log)
    unsigned = [] if setup_calls else unsigned_by_a_role(calls)
    if found := unsigned + [str(d) for d in denials(calls)] + undeclared(calls):
        raise AssertionError("\n".join(found))
    return calls
