"""DAG parse time per file, as MWAA's DAG processor would pay it.

Each sample runs in a fresh interpreter (a warm one would hit the module cache and flatter us):
it imports Airflow, then times DagBag.process_file on one DAG file. The cost of importing
Airflow itself is measured in the same run and reported apart, so a row shows what the DAG file
adds. Goal: at most 0.5 s per file on this 2-core machine (a known MWAA CI practice fails any
file over 0.5 s; MWAA's dagbag_import_timeout default is 30 s).

    python -m bench.parse [--runs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

from bench.common import print_table, write_results
from include.dataops.settings import REPO_ROOT

GOAL_SECONDS = 0.5
PROBE = """
import json, sys, time
t0 = time.perf_counter()
import airflow
from airflow.dag_processing.dagbag import DagBag
t1 = time.perf_counter()
bag = DagBag(dag_folder="/nonexistent", include_examples=False, collect_dags=False)
if sys.argv[1] != "-":
    found = bag.process_file(sys.argv[1], only_if_updated=False)
    if bag.import_errors or not found:
        raise SystemExit(f"{sys.argv[1]} did not parse: {bag.import_errors or 'no DAG found'}")
t2 = time.perf_counter()
print(json.dumps({"airflow_import": t1 - t0, "parse": t2 - t1}))
"""


def sample(target: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", PROBE, target], capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(f"error: {out.stderr.strip().splitlines()[-1]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    baseline = [sample("-") for _ in range(args.runs)]
    airflow_import = statistics.median(s["airflow_import"] for s in baseline)
    empty_bag = statistics.median(s["parse"] for s in baseline)
    rows, results = [], []
    for path in sorted((REPO_ROOT / "dags").glob("*.py")):
        parses = [sample(str(path))["parse"] - empty_bag for _ in range(args.runs)]
        median, worst = statistics.median(parses), max(parses)
        verdict = "ok" if worst <= GOAL_SECONDS else "OVER GOAL"
        rows.append([path.name, median, worst, verdict])
        results.append(
            {"file": path.name, "median_s": median, "max_s": worst, "within_goal": worst <= GOAL_SECONDS}
        )

    print(f"DAG parse time, {args.runs} fresh-interpreter runs per file; goal <= {GOAL_SECONDS} s per file")
    print(f"(import airflow itself: median {airflow_import:.3f} s, measured in this run and subtracted)\n")
    print_table(["file", "median s", "max s", "goal"], rows)
    path = write_results(
        "parse",
        {"runs": args.runs, "goal_s": GOAL_SECONDS, "airflow_import_s": airflow_import, "files": results},
    )
    print(f"\nwrote {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
