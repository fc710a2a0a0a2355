"""The amazon provider's boto3 sessions, sharing one botocore data loader per process.

Every hook call makes a new boto3 session, and every new session a new botocore loader, which
reads and decodes the service's JSON model again (S3's is megabytes): about 0.2 s a client on
this 2-core machine, and 9 s of one orders_nightly run under `airflow dags test`, where a run's
tasks share a process. With one loader a process, a model is read once. The provider does the
same for its async sessions (its module-level `_loader`, after boto/botocore#3078); this extends
it to the sync ones through the provider's own extension point, `[aws] session_factory`
(AIRFLOW__AWS__SESSION_FACTORY locally, `aws.session_factory` on MWAA in
infra/terraform/modules/mwaa/main.tf).
"""

from __future__ import annotations

from typing import Any

import boto3
import botocore.loaders
import botocore.session
from airflow.providers.amazon.aws.hooks.base_aws import BaseSessionFactory

# Loader() reads nothing until a client asks for a model, so this is no I/O at import.
_LOADER = botocore.loaders.Loader()


class SharedLoaderSessionFactory(BaseSessionFactory):
    """The provider's session factory, with every basic session on the process's one loader."""

    def _create_basic_session(self, session_kwargs: dict[str, Any]) -> boto3.session.Session:
        core = botocore.session.get_session()
        core.register_component("data_loader", _LOADER)
        return boto3.session.Session(botocore_session=core, **session_kwargs)
