"""Record every AWS call of this process for the IAM check (tooling/local/iam.py).

On PYTHONPATH only in processes the end-to-end sandbox starts under a role's credentials, with
DATAOPS_IAM_LOG naming the log. Every botocore session gets the recorder, so calls through
Airflow's hooks, boto3 and aiobotocore alike are recorded.
"""

import os

if os.environ.get("DATAOPS_IAM_LOG"):
    try:
        import botocore.session  # noqa: F401
    except ImportError:  # a process without botocore (dbt's venv) makes no AWS call to record
        pass
    else:
        from pathlib import Path

        from tooling.local.iam_recorder import record_every_session

        record_every_session(Path(os.environ["DATAOPS_IAM_LOG"]))
