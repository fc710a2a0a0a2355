"""Each DAG's doc_md lists the IAM actions it needs; the MWAA execution role in Terraform grants them.

The list is for the on-call reader (an AccessDenied names one action; the doc says which task
needs it and why). This test keeps the list and infra/terraform/modules/mwaa in step, so the doc
is never a wish: an action the code needs but the role lacks fails here, naming it.
"""

from __future__ import annotations

import ast
import re
from fnmatch import fnmatchcase

import pytest

from include.dataops.settings import REPO_ROOT
from tooling.terraform.files import blocks, parse_file, unquote

DAGS = sorted((REPO_ROOT / "dags").glob("*.py"))
ACTION = re.compile(r"`([a-z0-9-]+:[A-Za-z*]+)`")


def documented_actions(dag_file: str) -> list[str]:
    """The backticked service:Action names in the DAG's `DOC` string, after its IAM heading."""
    tree = ast.parse((REPO_ROOT / "dags" / dag_file).read_text())
    [doc] = [
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "DOC" for t in node.targets)
        and isinstance(node.value, ast.Constant)
    ]
    _, heading, iam = doc.partition("**IAM actions**")
    assert heading, f"dags/{dag_file}: add an **IAM actions** list to its doc_md"
    return ACTION.findall(iam)


def execution_role_actions() -> set[str]:
    doc = parse_file(REPO_ROOT / "infra/terraform/modules/mwaa/main.tf")
    [policy] = [body for _, name, body in blocks(doc, "data") if name == "execution"]
    return {unquote(action) for statement in policy["statement"] for action in statement["actions"]}


@pytest.mark.parametrize("dag_file", [path.name for path in DAGS])
def test_every_documented_action_is_granted_to_the_execution_role(dag_file: str):
    granted = execution_role_actions()
    actions = documented_actions(dag_file)
    missing = [a for a in actions if not any(fnmatchcase(a, pattern) for pattern in granted)]

    assert actions, f"dags/{dag_file}: its IAM list names no action"
    assert not missing, (
        f"dags/{dag_file} needs {missing}, which the execution role in "
        "infra/terraform/modules/mwaa/main.tf does not grant: add them there (or drop them from the doc)"
    )
