"""The per-task signatures Cosmos computes are memoised without changing what inspect answers."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import inspect, json
from airflow.sdk.bases.operator import BaseOperator
from cosmos.operators.base import AbstractDbtBase
from cosmos.operators.local import AbstractDbtLocalBase, DbtBuildLocalOperator
from include.dataops.airflow.cosmos_parse import memoise_operator_signatures

inits = (BaseOperator.__init__, AbstractDbtBase.__init__, AbstractDbtLocalBase.__init__)
def answers():
    return [
        [str(inspect.signature(f)), str(inspect.getfullargspec(f)), str(inspect.signature(inspect.unwrap(f)))]
        for f in inits
    ]
before = answers()
memoise_operator_signatures()
memoise_operator_signatures()
after = answers()
memoised = all("__signature__" in vars(inspect.unwrap(f)) for f in inits)
task = DbtBuildLocalOperator(
    task_id="orders", project_dir="/tmp", profile_config=None, retries=3, install_deps=False
)
split = {"retries": task.retries, "deps": task.install_deps}
print(json.dumps({"same": before == after, "memoised": memoised, **split}))
"""


def test_memoised_signatures_answer_as_inspect_did_and_cosmos_still_splits_kwargs():
    # A fresh interpreter: the memo is process-wide, and other tests must see inspect untouched.
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    result = out.stdout.strip().splitlines()[-1]
    assert result == '{"same": true, "memoised": true, "retries": 3, "deps": false}'
