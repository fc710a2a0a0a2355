"""The Redshift dbt profile of the dev target: each developer's own schema, as in dbt/profiles.yml.

dbt/profiles.yml builds dev into `dbt_<user>`, so developers sharing the dev warehouse never
overwrite each other; Cosmos's RedshiftUserPasswordProfileMapping takes the schema from fixed
profile args instead. This mapping names it after the warehouse connection's user, read when the
task renders its profile (not at DAG parse). Staging and prod keep the settings' schema.
"""

from __future__ import annotations

from typing import Any

from cosmos.profiles import RedshiftUserPasswordProfileMapping

DEVELOPER_SCHEMA_PREFIX = "dbt_"


class DeveloperSchemaRedshiftMapping(RedshiftUserPasswordProfileMapping):
    """The connection's Redshift user picks the schema: user `ana` builds in `dbt_ana`."""

    required_fields = [f for f in RedshiftUserPasswordProfileMapping.required_fields if f != "schema"]

    @property
    def profile(self) -> dict[str, Any | None]:
        return {**super().profile, "schema": f"{DEVELOPER_SCHEMA_PREFIX}{self.conn.login}"}

    @property
    def mock_profile(self) -> dict[str, Any | None]:
        return {**super().mock_profile, "schema": f"{DEVELOPER_SCHEMA_PREFIX}mock"}
