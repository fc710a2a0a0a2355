"""Job as on AWS Glue: init and commit. Locally there are no job bookmarks to keep."""

from __future__ import annotations

from awsglue.context import GlueContext


class Job:
    def __init__(self, glue_context: GlueContext) -> None:
        self._glue_context = glue_context
        self.name: str | None = None

    def init(self, job_name: str, args: dict[str, str] | None = None) -> None:
        self.name = job_name

    def commit(self) -> None:
        """Glue commits bookmarks here; locally the run simply ends."""
