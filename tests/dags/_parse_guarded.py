"""Parse dags/ in a fresh interpreter where network, Variable, Connection and env-secret lookups fail.

Run as a subprocess by test_parse_isolation.py, so module top levels really execute here rather
than coming from an import cache. Prints a JSON report on stdout.
"""

from __future__ import annotations

import json
import socket
import sys

LOOKUPS: list[str] = []


def _forbid(what: str):
    def refuse(*args, **kwargs):
        LOOKUPS.append(what)
        raise RuntimeError(f"{what} at DAG parse time")

    return refuse


socket.socket.connect = _forbid("network connect")  # type: ignore[method-assign]
socket.create_connection = _forbid("network connect")
socket.getaddrinfo = _forbid("DNS lookup")

from airflow.models.connection import Connection as ModelConnection  # noqa: E402
from airflow.models.variable import Variable as ModelVariable  # noqa: E402
from airflow.sdk import BaseHook, Connection, Variable  # noqa: E402
from airflow.secrets.environment_variables import EnvironmentVariablesBackend  # noqa: E402

Variable.get = _forbid("Variable.get")  # type: ignore[method-assign]
ModelVariable.get = _forbid("Variable.get")  # type: ignore[method-assign]
Connection.get = _forbid("Connection.get")  # type: ignore[method-assign]
BaseHook.get_connection = _forbid("BaseHook.get_connection")  # type: ignore[method-assign]
ModelConnection.get_connection_from_secrets = _forbid("Connection lookup")  # type: ignore[method-assign]
EnvironmentVariablesBackend.get_conn_value = _forbid("AIRFLOW_CONN_* lookup")  # type: ignore[method-assign]
EnvironmentVariablesBackend.get_variable = _forbid("AIRFLOW_VAR_* lookup")  # type: ignore[method-assign]

from airflow.dag_processing.dagbag import DagBag  # noqa: E402

bag = DagBag(dag_folder=sys.argv[1], include_examples=False)
print(json.dumps({"dags": sorted(bag.dags), "import_errors": bag.import_errors, "lookups": LOOKUPS}))
