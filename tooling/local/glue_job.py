"""Run a Glue script unedited on local Spark, as AWS Glue would: the local half of the Glue runner.

The script runs in its own Python process with the `awsglue` shim (tooling/local/awsglue_shim) on its
path and the same `--KEY value` arguments Glue passes, so it behaves like a separate Glue run and
its JVM exits with it. The manifest the script wrote is the result. In an end-to-end sandbox the
script signs its AWS calls as the Glue job role, as on AWS Glue (tooling/local/iam.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from include.dataops.pipeline.reconcile import load_manifest
from tooling.local.iam_recorder import glue_job_environment
from tooling.local.spark import spark_submit_args

SHIM_DIR = Path(__file__).resolve().parent / "awsglue_shim"
DEFAULT_TIMEOUT_SECONDS = 1_800
_STDERR_TAIL_LINES = 15


class GlueLocalRunError(RuntimeError):
    """The local Glue run failed; the message carries the script's own error and how to look further."""


def run_glue_script_locally(
    script_path: str | Path,
    args: dict[str, str],
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS,
    cores: int = 2,
    event_log_dir: str | None = None,
) -> dict[str, Any]:
    """Run `script_path` with Glue job `args` (keys with or without "--") and return its manifest.

    `event_log_dir` records the run's Spark event log there (bench/glue.py reads it).
    """
    script = Path(script_path)
    if not script.is_file():
        raise GlueLocalRunError(f"Glue script {script} not found: pass the path of a script under glue/.")
    arguments = {key.removeprefix("--"): str(value) for key, value in args.items()}
    for required in ("CURATED_ROOT", "RUN_DATE"):
        if required not in arguments:
            raise GlueLocalRunError(f"Glue argument --{required} is missing: the manifest location needs it.")
    command = [sys.executable, str(script)]
    for key, value in arguments.items():
        command += [f"--{key}", value]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SHIM_DIR), env.get("PYTHONPATH", "")) if p)
    env["PYSPARK_SUBMIT_ARGS"] = spark_submit_args(cores, event_log_dir, _raw_bytes(arguments))
    env["PYSPARK_PYTHON"] = sys.executable
    env.update(glue_job_environment(env))
    try:
        completed = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=timeout_seconds, check=False
        )
    except subprocess.TimeoutExpired:
        raise GlueLocalRunError(
            f"Glue script {script.name} ran longer than {timeout_seconds} s: "
            "raise the timeout or give it less data."
        ) from None
    if completed.returncode != 0:
        raise GlueLocalRunError(_failure_message(script, completed.returncode, completed.stderr))
    return load_manifest(arguments["CURATED_ROOT"], arguments["RUN_DATE"])


def _raw_bytes(arguments: dict[str, str]) -> int:
    """The size of the day's raw partitions on local disk (0 when RAW_ROOT is not a local directory)."""
    raw, day = Path(arguments.get("RAW_ROOT", "")), arguments["RUN_DATE"]
    if not raw.is_dir():
        return 0
    return sum(f.stat().st_size for f in raw.glob(f"*/dt={day}/*") if f.is_file())


def _failure_message(script: Path, returncode: int, stderr: str) -> str:
    """The script's own `error:` line when it gave one, else the tail of its stderr."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    if errors:
        return f"Glue script {script.name} failed: {errors[-1].removeprefix('error:').strip()}"
    tail = "\n".join(lines[-_STDERR_TAIL_LINES:])
    return f"Glue script {script.name} failed with exit code {returncode}; the end of its stderr:\n{tail}"


def main(argv: list[str] | None = None) -> int:
    """CLI: run orders_transform for one day on the local lake, reconcile, print the counts."""
    import argparse

    from include.dataops.pipeline.landing import contract_argument
    from include.dataops.pipeline.reconcile import ReconcileError, reconcile
    from include.dataops.settings import load_settings

    parser = argparse.ArgumentParser(prog="python -m tooling.local.glue_job", description=main.__doc__)
    parser.add_argument("--run-date", required=True, help="YYYY-MM-DD, the raw partition to transform")
    options = parser.parse_args(argv)
    settings = load_settings()
    script = Path(__file__).resolve().parents[2] / "glue_jobs" / "orders_transform.py"
    try:
        manifest = run_glue_script_locally(
            script,
            {
                "JOB_NAME": settings.glue.job_name,
                "ENV": settings.environment,
                "RUN_DATE": options.run_date,
                "RAW_ROOT": settings.lake.raw,
                "CURATED_ROOT": settings.lake.curated,
                "QUARANTINE_ROOT": settings.lake.quarantine,
                "LANDING_CONTRACT": contract_argument(settings.quality.on_landing_violation),
            },
        )
        result = reconcile(manifest, settings.quality.max_quarantine_rate, raise_on_failure=False)
    except (GlueLocalRunError, ReconcileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for check in result.checks:
        print(f"{'ok  ' if check.passed else 'FAIL'} {check.message}")
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
