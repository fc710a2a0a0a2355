"""The local stack against the real emulator the bootstrap started (make test runs it first)."""

from __future__ import annotations

import socket

import boto3
import pytest

from tooling.local import emulator as local_stack


def test_the_emulator_the_bootstrap_started_is_recorded_and_answering(aws_endpoint):
    port = local_stack.running_port()
    assert port is not None and aws_endpoint.endswith(f":{port}")


def test_starting_again_reuses_the_running_emulator():
    port = local_stack.running_port()
    assert local_stack.start_emulator() == port


def test_a_taken_port_is_a_clear_error_and_starts_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(local_stack, "PID_FILE", tmp_path / "moto.pid")
    monkeypatch.setattr(local_stack, "PORT_FILE", tmp_path / "moto.port")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(local_stack.StackError, match=f"Port {port} on 127.0.0.1 is already taken"):
            local_stack.start_emulator(port)
    assert not (tmp_path / "moto.pid").exists()


def test_the_cli_reports_a_taken_port_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(local_stack, "PID_FILE", tmp_path / "moto.pid")
    monkeypatch.setattr(local_stack, "PORT_FILE", tmp_path / "moto.port")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert local_stack.main(["up", "--port", str(busy.getsockname()[1])]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: Port") and err.count("\n") == 1


def test_bootstrap_created_every_bucket_and_topic_the_settings_name(settings, aws_endpoint):
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=settings.aws_region)
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert set(vars(settings.buckets).values()) <= buckets
    sns = boto3.client("sns", endpoint_url=aws_endpoint, region_name=settings.aws_region)
    arns = {t["TopicArn"] for t in sns.list_topics()["Topics"]}
    assert {settings.alerts_topic_arn, settings.notifications_topic_arn} <= arns


def test_env_file_points_airflow_at_the_emulator_and_the_warehouse():
    env = local_stack.local_environment(4566)
    assert '"endpoint_url": "http://127.0.0.1:4566"' in env["AIRFLOW_CONN_AWS_DEFAULT"]
    assert env["AIRFLOW_CONN_WAREHOUSE"].endswith('"host": "' + str(local_stack.WAREHOUSE_PATH) + '"}')
    assert env["AIRFLOW__DATAOPS__ENVIRONMENT"] == "local"
