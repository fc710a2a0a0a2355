"""Cosmos's parse-time patches change when it pays, never what it answers or renders."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import inspect, json, sys
from include.dataops.airflow.cosmos_parse import prepare_cosmos

prepare_cosmos()
prepare_cosmos()
lineage_loaded = any(m.split(".")[0] == "openlineage" for m in sys.modules)
stand_in_left = "airflow.providers.openlineage.extractors.base" in sys.modules
from airflow.sdk.bases.operator import BaseOperator
from cosmos.airflow import graph
from cosmos.constants import DbtResourceType
from cosmos.operators import local
from cosmos.operators.base import AbstractDbtBase

lineage = local.OperatorLineage(inputs=[], outputs=[])
from airflow.providers.openlineage.extractors.base import OperatorLineage

same = all(
    local.inspect.signature(f) == inspect.signature(f)
    and local.inspect.getfullargspec(f) == inspect.getfullargspec(f)
    for f in (BaseOperator.__init__, AbstractDbtBase.__init__, local.AbstractDbtLocalBase.__init__)
)
task = local.DbtBuildLocalOperator(
    task_id="orders", project_dir="/tmp", profile_config=None, retries=3, install_deps=False
)
class Node:
    resource_type = DbtResourceType.TEST
test_task = graph.generate_task_or_group(node=Node(), node_converters={})
print(json.dumps({
    "lineage_loaded": lineage_loaded, "stand_in_left": stand_in_left,
    "real_lineage": type(lineage) is OperatorLineage, "same": same,
    "retries": task.retries, "deps": task.install_deps, "test_task": test_task,
}))
"""


def test_cosmos_imports_without_the_lineage_client_and_answers_as_before():
    # A fresh interpreter: the patches are process-wide, and other tests must see Cosmos untouched.
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    result = out.stdout.strip().splitlines()[-1]
    assert result == (
        '{"lineage_loaded": false, "stand_in_left": false, "real_lineage": true, "same": true,'
        ' "retries": 3, "deps": false, "test_task": null}'
    )
