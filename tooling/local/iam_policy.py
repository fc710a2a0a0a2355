"""IAM policies rendered from the Terraform, and the evaluator that decides a recorded call.

`document(role, env)` is the policy Terraform attaches to the role, evaluated by the project's own
HCL evaluator (tooling/terraform) with the environment's names; for `local` the dev root is
evaluated with `environment = "local"`, so every name is the one include/config/local.yaml uses.
A resource known only at apply (the KMS key's ARN) becomes an ARN that matches nothing.

`decide(document, action, resource, context)` is AWS's evaluation logic for identity policies
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html): an
explicit Deny wins, else an Allow whose Action/NotAction, Resource/NotResource and every Condition
match, else the implicit deny. Condition operators: String*, Arn*, Bool, Null, Numeric*, with
IfExists and ForAnyValue/ForAllValues. It is written here because moto 5.2.5 checks conditions only
in trust policies and every non-S3 resource as `*` (moto/iam/access_control.py,
moto/core/responses.py `call_action`), and the locked environment holds no IAM evaluator library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from include.dataops.settings import REPO_ROOT, load_settings
from tooling.terraform.errors import Unevaluable
from tooling.terraform.files import ENVIRONMENTS, blocks
from tooling.terraform.modules import root

UNKNOWN_ARN = "arn:aws:unknown:::known-only-at-apply"


@dataclass(frozen=True)
class Role:
    """Where Terraform defines a role's policy: the module call and its policy document."""

    module: str
    policy: str

    @property
    def source(self) -> str:
        path = REPO_ROOT / "infra" / "terraform" / "modules" / self.module / "main.tf"
        return f"{path.relative_to(REPO_ROOT)} data.aws_iam_policy_document.{self.policy}"


ROLES = {
    "mwaa_execution": Role("mwaa", "execution"),
    "deploy": Role("iam", "deploy"),
    "glue_job": Role("glue", "job"),
}


def document(role: str, env: str = "local") -> dict[str, Any]:
    """The role's policy as IAM JSON, rendered from the .tf files for `env`."""
    module = ROLES[role]
    settings = load_settings(env)
    tf_root = root(env) if env in ENVIRONMENTS else root("dev", {"environment": env})
    # Every module's caller identity is the settings' account, so ARNs another module outputs (the
    # Glue job's and catalog's, for the execution role) are known too.
    modules = tf_root.scope.roots["module"]
    for name in sorted(modules.names):
        modules[name].module.scope.roots["data"] = {
            "aws_caller_identity": {"current": {"account_id": settings.aws_account_id}}
        }
    instance = tf_root.scope.roots["module"][module.module].module
    body = next(
        b for t, n, b in blocks(instance.doc, "data") if (t, n) == ("aws_iam_policy_document", module.policy)
    )
    statements = [_statement(instance.scope, s) for s in body["statement"]]
    if env == "local":
        statements = [_with_sandbox_buckets(s, settings.buckets.artifacts) for s in statements]
    return {"Version": "2012-10-17", "Statement": statements}


def _with_sandbox_buckets(statement: dict[str, Any], artifacts: str) -> dict[str, Any]:
    """Each e2e sandbox has its own artifacts bucket, `<artifacts>-<scope>` (include/config/local.yaml):
    the grant on the artifacts bucket covers those too, as a per-sandbox Terraform workspace would."""
    bucket_arn = f"arn:aws:s3:::{artifacts}"
    resources = statement.get("Resource")
    if not isinstance(resources, list):
        return statement
    sandboxed = [r.replace(bucket_arn, f"{bucket_arn}-*", 1) for r in resources if r.startswith(bucket_arn)]
    return {**statement, "Resource": resources + sandboxed} if sandboxed else statement


def _statement(scope: Any, block: dict[str, Any]) -> dict[str, Any]:
    def values(value: Any) -> list[str]:
        if isinstance(value, list):
            return [item for part in value for item in values(part)]
        try:
            known = scope.eval(value)
        except Unevaluable:
            return [UNKNOWN_ARN]
        return known if isinstance(known, list) else [known]

    statement: dict[str, Any] = {"Effect": scope.eval(block["effect"]) if "effect" in block else "Allow"}
    if "sid" in block:
        statement["Sid"] = scope.eval(block["sid"])
    for hcl, key in (("actions", "Action"), ("not_actions", "NotAction")):
        if hcl in block:
            statement[key] = values(block[hcl])
    for hcl, key in (("resources", "Resource"), ("not_resources", "NotResource")):
        if hcl in block:
            statement[key] = values(block[hcl])
    conditions: dict[str, dict[str, list[str]]] = {}
    for condition in block.get("condition", []):
        test, variable = scope.eval(condition["test"]), scope.eval(condition["variable"])
        conditions.setdefault(test, {})[variable] = values(condition["values"])
    if conditions:
        statement["Condition"] = conditions
    return statement


def granted_actions(policy: dict[str, Any]) -> set[str]:
    """Every action an Allow statement names (patterns as written)."""
    return {a for s in policy["Statement"] if s["Effect"] == "Allow" for a in _listed(s.get("Action", []))}


def without_action(policy: dict[str, Any], action: str) -> dict[str, Any]:
    """The policy with one action taken out of every statement (the negative control)."""
    statements = []
    for statement in policy["Statement"]:
        kept = [a for a in _listed(statement.get("Action", [])) if a.lower() != action.lower()]
        if "Action" not in statement or kept:
            statements.append({**statement, **({"Action": kept} if "Action" in statement else {})})
    return {**policy, "Statement": statements}


# ---------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Decision:
    allowed: bool
    statement: str  # the Sid that decided, or "" for the implicit deny


def decide(policy: dict[str, Any], action: str, resource: str, context: dict[str, Any]) -> Decision:
    """AWS's decision for one request under this identity policy alone."""
    allow = None
    for statement in policy["Statement"]:
        if not _applies(statement, action, resource, context):
            continue
        if statement["Effect"] == "Deny":
            return Decision(False, statement.get("Sid", "Deny"))
        allow = allow or Decision(True, statement.get("Sid", "Allow"))
    return allow or Decision(False, "")


def _applies(statement: dict[str, Any], action: str, resource: str, context: dict[str, Any]) -> bool:
    if "Action" in statement:
        if not any(like(p, action, case=False) for p in _listed(statement["Action"])):
            return False
    elif any(like(p, action, case=False) for p in _listed(statement.get("NotAction", []))):
        return False
    if "Resource" in statement:
        if not any(like(p, resource) for p in _listed(statement["Resource"])):
            return False
    elif any(like(p, resource) for p in _listed(statement.get("NotResource", []))):
        return False
    return all(
        _condition(operator, key, _listed(expected), context)
        for operator, keys in statement.get("Condition", {}).items()
        for key, expected in keys.items()
    )


def _condition(operator: str, key: str, expected: list[Any], context: dict[str, Any]) -> bool:
    qualifier, _, operator = operator.rpartition(":")
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    present = key in context and context[key] is not None
    if operator == "Null":
        return (not present) == (str(expected[0]).lower() == "true")
    if not present:
        return if_exists or operator.startswith(("StringNot", "ArnNot", "NumericNot"))
    actual = _listed(context[key])
    negated = "Not" in operator
    test = _OPERATORS[operator.replace("Not", "", 1) if negated else operator]

    def one(value: Any) -> bool:
        matched = any(test(str(e), str(value)) for e in expected)
        return not matched if negated else matched

    if qualifier == "ForAllValues":
        return all(one(v) for v in actual)
    return any(one(v) for v in actual)


_OPERATORS = {
    "StringEquals": lambda e, a: e == a,
    "StringEqualsIgnoreCase": lambda e, a: e.lower() == a.lower(),
    "StringLike": lambda e, a: like(e, a),
    "ArnEquals": lambda e, a: e == a,
    "ArnLike": lambda e, a: like(e, a),
    "Bool": lambda e, a: e.lower() == a.lower(),
    "NumericEquals": lambda e, a: float(a) == float(e),
    "NumericLessThan": lambda e, a: float(a) < float(e),
    "NumericLessThanEquals": lambda e, a: float(a) <= float(e),
    "NumericGreaterThan": lambda e, a: float(a) > float(e),
    "NumericGreaterThanEquals": lambda e, a: float(a) >= float(e),
}


def like(pattern: str, value: str, case: bool = True) -> bool:
    """IAM wildcards: `*` any run of characters, `?` one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case else re.IGNORECASE) is not None


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
