"""Interim, until the GX branch lands: point today's GX operator at the run's audit schema.

Write-audit-publish builds the marts in the run's audit schema, so GX must validate them there,
before publish. The GX package's own operator (include.dataops.airflow.gx.gx_validate_marts_task)
reads `audit_schema` from the resolve_run_date XCom and keeps history on the consumer schema;
when it is merged, the DAG imports it and this module is deleted. Meanwhile the whole checkpoint
reads the audit schema, whose incremental marts start as copies of the published ones, so the
history baseline is still published days only (the run's own day is excluded by date).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from include.dataops.settings import Settings


def gx_validate_audit_task(settings: Settings, task_id: str, run_date_task_id: str) -> Any:
    from include.dataops.gx.checks import gx_validate_marts_task

    operator = gx_validate_marts_task(settings, task_id=task_id, run_date_task_id=run_date_task_id)
    operator.configure_checkpoint = _AuditCheckpoint(settings, run_date_task_id)
    return operator


@dataclass(frozen=True)
class _AuditCheckpoint:
    settings: Settings
    run_date_task_id: str

    def __call__(self, context: Any) -> Any:
        from airflow.sdk import get_current_context

        from include.dataops.gx.checks import GxCheckError, build_marts_checkpoint

        resolved = get_current_context()["ti"].xcom_pull(task_ids=self.run_date_task_id) or {}
        if not resolved.get("audit_schema"):
            raise GxCheckError(
                f"task {self.run_date_task_id!r} left no audit schema: run GX after it, in the same DAG run."
            )
        audited = replace(
            self.settings, warehouse=replace(self.settings.warehouse, schema=resolved["audit_schema"])
        )
        return build_marts_checkpoint(context, audited, resolved["run_date"])
