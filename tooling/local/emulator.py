"""The embedded default: a moto server standing in for AWS, and the environment that points at it.

`make` calls this to start and stop the emulator and to write `.local/env.sh`, the file every
local command sources. The emulator runs on a free port on 127.0.0.1; its PID and port are
recorded under .local/ and it is only ever stopped by that PID, never by name.

    python -m tooling.local.emulator up [--port N]
    python -m tooling.local.emulator down
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from include.dataops.settings import REPO_ROOT, Settings, load_settings

LOCAL_DIR = REPO_ROOT / ".local"
PID_FILE = LOCAL_DIR / "moto.pid"
PORT_FILE = LOCAL_DIR / "moto.port"
LOG_FILE = LOCAL_DIR / "moto.log"
ENV_FILE = LOCAL_DIR / "env.sh"
LINEAGE_EVENTS = LOCAL_DIR / "lineage" / "events.jsonl"
AIRFLOW_HOME = LOCAL_DIR / "airflow"
WAREHOUSE_PATH = LOCAL_DIR / "warehouse.duckdb"
# The local UI's login; the REST API test signs in with it too.
UI_USER, UI_PASSWORD = "admin", "admin"


class StackError(RuntimeError):
    """A local-stack problem a user can fix; the message says how, in one line."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def with_services_down(environment: dict[str, str], *services: str) -> dict[str, str]:
    """`environment` with these AWS services unreachable through aws_default, the rest of the shared
    emulator untouched: each service's endpoint (the amazon provider's extra.service_config) is a
    port nothing listens on, and botocore tries once (AWS_MAX_ATTEMPTS) instead of for 13 s."""
    conn = json.loads(environment["AIRFLOW_CONN_AWS_DEFAULT"])
    closed = {name: {"endpoint_url": f"http://127.0.0.1:{free_port()}"} for name in services}
    conn["extra"] = {**conn.get("extra", {}), "service_config": closed}
    return {**environment, "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(conn), "AWS_MAX_ATTEMPTS": "1"}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=2):
            return True
    except OSError:
        return False


def running_port() -> int | None:
    """The port of the emulator this checkout started, if it is still up and answering."""
    if not (PID_FILE.exists() and PORT_FILE.exists()):
        return None
    pid, port = int(PID_FILE.read_text()), int(PORT_FILE.read_text())
    return port if _pid_alive(pid) and _answers(port) else None


def start_emulator(port: int | None = None) -> int:
    """Start moto_server (or reuse this checkout's running one) and return its port."""
    current = running_port()
    if current is not None and port in (None, current):
        return current
    if current is not None:
        stop_emulator()
    if port is None:
        port = free_port()
    elif not port_is_free(port):
        raise StackError(
            f"Port {port} on 127.0.0.1 is already taken: pick another with EMULATOR_PORT=<port>, "
            "or leave EMULATOR_PORT unset to use a free one."
        )
    LOCAL_DIR.mkdir(exist_ok=True)
    moto = Path(sys.executable).with_name("moto_server")
    with LOG_FILE.open("ab") as log:
        proc = subprocess.Popen(
            [str(moto), "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StackError(f"The AWS emulator exited at start: read {LOG_FILE} for why.")
        if _answers(port):
            PID_FILE.write_text(str(proc.pid))
            PORT_FILE.write_text(str(port))
            return port
        time.sleep(0.2)
    proc.terminate()
    raise StackError(f"The AWS emulator did not answer on port {port} within 30 s: read {LOG_FILE}.")


def stop_emulator() -> bool:
    """Stop the emulator by its recorded PID. Returns whether one was running."""
    if not PID_FILE.exists():
        return False
    pid = int(PID_FILE.read_text())
    stopped = False
    if _pid_alive(pid):
        os.killpg(pid, signal.SIGTERM)
        for _ in range(50):
            if not _pid_alive(pid):
                break
            time.sleep(0.1)
        stopped = True
    PID_FILE.unlink(missing_ok=True)
    PORT_FILE.unlink(missing_ok=True)
    return stopped


def local_environment(port: int, admin: dict[str, str] | None = None) -> dict[str, str]:
    """Every variable a local command needs: Airflow's, the connections, and AWS's endpoint.

    AWS calls are signed with the emulator's admin key (tooling/local/iam.py): the emulator enforces
    IAM, and a local command is the developer, not a role. The end-to-end sandbox swaps in a role's key.
    """
    settings = load_settings("local")
    endpoint = f"http://127.0.0.1:{port}"
    admin = admin or {"AccessKeyId": "testing", "SecretAccessKey": "testing"}
    aws_conn = {
        "conn_type": "aws",
        "login": admin["AccessKeyId"],
        "password": admin["SecretAccessKey"],
        "extra": {"endpoint_url": endpoint, "region_name": settings.aws_region},
    }
    warehouse_conn = {"conn_type": "duckdb", "host": str(WAREHOUSE_PATH)}
    return {
        "AIRFLOW_HOME": str(AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # Sized for a 2-core laptop: Airflow's default of 32 parallel tasks would thrash it.
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{UI_USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(AIRFLOW_HOME / "passwords.json"),
        "AIRFLOW__DATAOPS__ENVIRONMENT": "local",
        # OpenLineage events of the provider, Cosmos's dbt tasks and the Glue job, one JSON a line.
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(
            {"type": "file", "log_file_path": str(LINEAGE_EVENTS), "append": True}
        ),
        # As on MWAA (infra/terraform/modules/mwaa/lineage.tf): events sent from a thread, not a fork.
        "AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD": "True",
        # As on MWAA (infra/terraform/modules/mwaa/main.tf): one botocore model loader a process.
        "AIRFLOW__AWS__SESSION_FACTORY": "include.dataops.airflow.aws_session.SharedLoaderSessionFactory",
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(aws_conn),
        f"AIRFLOW_CONN_{settings.warehouse.conn_id.upper()}": json.dumps(warehouse_conn),
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": admin["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": admin["SecretAccessKey"],
        "AWS_DEFAULT_REGION": settings.aws_region,
        # moto checks a signature against the body it decompressed, so botocore's gzip of large
        # PutMetricData bodies would fail every such call once IAM is enforced.
        "AWS_DISABLE_REQUEST_COMPRESSION": "true",
        "DATAOPS_EMULATOR_PORT": str(port),
        "DATAOPS_DUCKDB_PATH": str(WAREHOUSE_PATH),
        "DO_NOT_TRACK": "1",
        "PYTHONPATH": str(REPO_ROOT),
        # `airflow standalone` starts its components by running `airflow` from PATH.
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    }


def write_env_file(port: int, admin: dict[str, str]) -> Path:
    AIRFLOW_HOME.mkdir(parents=True, exist_ok=True)
    LINEAGE_EVENTS.parent.mkdir(parents=True, exist_ok=True)
    (AIRFLOW_HOME / "passwords.json").write_text(json.dumps({UI_USER: UI_PASSWORD}))
    environment = local_environment(port, admin)
    lines = [f"export {key}={shlex.quote(value)}" for key, value in environment.items()]
    ENV_FILE.write_text(
        "# Written by `make bootstrap`; sourced by every local command.\n" + "\n".join(lines) + "\n"
    )
    return ENV_FILE


def create_resources(settings: Settings, endpoint: str, admin: dict[str, str]) -> None:
    """Create the buckets, topics and catalog database the settings name, so the same code runs here."""
    import boto3

    session = boto3.session.Session(
        aws_access_key_id=admin["AccessKeyId"],
        aws_secret_access_key=admin["SecretAccessKey"],
        region_name=settings.aws_region,
    )
    s3 = session.client("s3", endpoint_url=endpoint)
    location = {"LocationConstraint": settings.aws_region}
    for bucket in vars(settings.buckets).values():
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration=location)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    sns = session.client("sns", endpoint_url=endpoint)
    for topic in (settings.sns.alerts_topic, settings.sns.notifications_topic):
        sns.create_topic(Name=topic)
    glue = session.client("glue", endpoint_url=endpoint)
    with contextlib.suppress(glue.exceptions.AlreadyExistsException):
        glue.create_database(DatabaseInput={"Name": settings.glue.catalog_database})


def up(port: int | None) -> int:
    from tooling.local import iam

    port = start_emulator(port)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        admin = iam.provision(endpoint)
    except iam.IamError as err:
        raise StackError(str(err)) from None
    create_resources(load_settings("local"), endpoint, admin)
    write_env_file(port, admin)
    return port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("up", help="start the emulator, create the local resources, write .local/env.sh")
    start.add_argument("--port", type=int, default=None)
    sub.add_parser("down", help="stop the emulator this checkout started")
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            print(f"AWS emulator on http://127.0.0.1:{up(args.port)} (PID file {PID_FILE})")
        else:
            print("AWS emulator stopped." if stop_emulator() else "No AWS emulator was running.")
    except StackError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
