"""What keeps rendering a dbt project with Cosmos cheap at DAG parse time: three small patches.

Both are needed as of Cosmos 1.15.1 (and its main branch as of 2026-08); neither changes what
Cosmos does, only when it pays for it. Drop each once a Cosmos release makes it unnecessary.

- cosmos.operators.local imports the OpenLineage client at module level, for one class
  (`OperatorLineage`) it builds only after a task ran: 0.35 CPU s of every DAG parse, more than
  all the rest of Cosmos's imports. It is imported here with that name bound to a factory that
  imports the real class on first use, so the tasks still hand OpenLineage the real thing.
- For every task it builds, DbtLocalBaseOperator.__init__ splits the task's kwargs between its
  parent classes with inspect.signature(BaseOperator.__init__), a function of some sixty
  parameters, and getfullargspec of two Cosmos bases: a quarter of its parse time at 1,000 models.
  The module's `inspect` is given a cache of those two calls: the functions they inspect are
  fixed once their classes exist, so the answers are the same.
- build_airflow_graph asks generate_task_or_group for a task for every node, tests included, and
  that builds each test's whole task metadata before dropping it: with no converter for tests,
  a test node renders no task of its own (its task, when detached, is built elsewhere), so the
  call is answered None up front. Two thirds of the nodes at 1,000 models are tests.
"""

from __future__ import annotations

import functools
import inspect
import sys
import types
from typing import Any

_LINEAGE_PACKAGE = "airflow.providers.openlineage.extractors"
_LINEAGE_MODULES = (_LINEAGE_PACKAGE, f"{_LINEAGE_PACKAGE}.base")


def prepare_cosmos() -> None:
    """Import Cosmos's operators without the OpenLineage client, and cache their introspection.

    Idempotent; call it before anything imports `cosmos.operators` (`from cosmos import DbtTaskGroup`
    does): once the client is loaded, in a task's process for instance, there is nothing to save.
    """
    if "cosmos.operators.local" not in sys.modules and _LINEAGE_MODULES[1] not in sys.modules:
        _import_without_lineage_client()
    from cosmos.operators import local

    if not isinstance(local.inspect, _CachedInspect):
        local.inspect = _CachedInspect()
    from cosmos.airflow import graph

    if not hasattr(graph.generate_task_or_group, "__wrapped__"):
        graph.generate_task_or_group = _no_task_for_tests(graph.generate_task_or_group)


def _import_without_lineage_client() -> None:
    """Import cosmos.operators.local while the lineage modules it reads are a stand-in, then drop it."""
    stand_in = types.ModuleType(_LINEAGE_MODULES[1], "Stand-in while Cosmos imports: see cosmos_parse.")
    stand_in.OperatorLineage = _operator_lineage  # type: ignore[attr-defined]
    for name in _LINEAGE_MODULES:
        sys.modules[name] = stand_in
    try:
        import cosmos.operators.local  # noqa: F401
    finally:
        for name in _LINEAGE_MODULES:
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


def _operator_lineage(*args: Any, **kwargs: Any) -> Any:
    """The real OperatorLineage, imported when a task first reports its lineage."""
    from airflow.providers.openlineage.extractors.base import OperatorLineage

    return OperatorLineage(*args, **kwargs)


def _no_task_for_tests(generate: Any) -> Any:
    """generate_task_or_group, answering None for a test node no converter takes, as it would."""
    from cosmos.constants import DbtResourceType

    @functools.wraps(generate)
    def generate_task_or_group(*, node: Any, node_converters: dict[Any, Any], **kwargs: Any) -> Any:
        if node.resource_type == DbtResourceType.TEST and DbtResourceType.TEST not in node_converters:
            return None
        return generate(node=node, node_converters=node_converters, **kwargs)

    return generate_task_or_group


class _CachedInspect(types.ModuleType):
    """The inspect module, with signature and getfullargspec computed once per function."""

    signature = staticmethod(functools.cache(inspect.signature))
    getfullargspec = staticmethod(functools.cache(inspect.getfullargspec))

    def __init__(self) -> None:
        super().__init__("inspect", "inspect, with Cosmos's per-task introspection cached (cosmos_parse).")

    def __getattr__(self, name: str) -> Any:
        return getattr(inspect, name)
