"""Airflow UI links to the pages an on-call engineer opens: the health report, GX Data Docs, dbt docs.

Airflow 3 plugins add UI entries as `external_views` and serve pages with `fastapi_apps` (read
from airflow/plugins_manager.py in 3.2.1; Flask `appbuilder_views` are gone). The pages live in
the artifacts bucket, which a browser cannot read, so a small FastAPI app on the API server
streams them through the amazon provider's S3Hook (the MWAA execution role; the emulator
locally). dbt docs fall back to the checkout's dbt/target when the bucket has none (`make dbt-docs`).
"""

from __future__ import annotations

import mimetypes

from airflow.plugins_manager import AirflowPlugin
from fastapi import FastAPI, HTTPException, Response

URL_PREFIX = "/dataops"
# url segment -> (menu label, prefix in the artifacts bucket)
SITES = {
    "health-report": ("Pipeline health report", "reports/orders_nightly"),
    "gx-data-docs": ("GX Data Docs", "gx/data_docs"),
    "dbt-docs": ("dbt docs", "dbt/docs"),
}

app = FastAPI(title="DataOps docs")


@app.get("/{site}/{path:path}")
def page(site: str, path: str) -> Response:
    """One file of a site; a missing page says which command writes it."""
    if site not in SITES:
        raise HTTPException(404, f"no site {site!r}: use one of {', '.join(SITES)}")
    body = _read(site, path or "index.html")
    if body is None:
        raise HTTPException(404, f"{SITES[site][0]} has no {path!r} yet: run the pipeline (make run).")
    return Response(body, media_type=mimetypes.guess_type(path)[0] or "text/html")


def _read(site: str, path: str) -> bytes | None:
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    from include.dataops.settings import REPO_ROOT, load_settings

    if ".." in path.split("/"):
        return None
    settings = load_settings()
    key = f"{SITES[site][1]}/{path}"
    hook = S3Hook(aws_conn_id=settings.aws_conn_id)
    if hook.check_for_key(key, settings.buckets.artifacts):
        return hook.get_key(key, settings.buckets.artifacts).get()["Body"].read()
    local = REPO_ROOT / "dbt" / "target" / path
    return local.read_bytes() if site == "dbt-docs" and local.is_file() else None


class DataOpsDocsPlugin(AirflowPlugin):
    name = "dataops_docs"
    fastapi_apps = [{"app": app, "url_prefix": URL_PREFIX, "name": "DataOps docs"}]
    external_views = [
        {
            "name": label,
            "href": f"{URL_PREFIX}/{site}/index.html",
            "url_route": site,
            "destination": "nav",
            "category": "docs",
        }
        for site, (label, _) in SITES.items()
    ]
