"""What keeps rendering a dbt project with Cosmos cheap at DAG parse time.

Cosmos 1.15.1 (and its main branch as of 2026-08) splits each task's kwargs between its parent
classes by computing three constructor signatures for every task it builds
(cosmos.operators.local.DbtLocalBaseOperator.__init__): inspect.signature(BaseOperator.__init__),
a function of some sixty parameters, and getfullargspec of two Cosmos bases. At 1,000 models that
is over a quarter of the group's parse (3.17 CPU s without, 2.28 with). Cosmos has no option for
it, so this is the smallest equivalent of a cache: inspect returns a function's `__signature__`
when it has one, and these signatures are fixed once their classes exist, so computing each once
gives the same answers.
"""

from __future__ import annotations

import inspect


def memoise_operator_signatures() -> None:
    """Give the constructors Cosmos inspects per task their signature, computed once per process.

    Set on the unwrapped function (Airflow wraps every operator __init__ in apply_defaults), so
    inspect.signature and getfullargspec of either the wrapper or the function answer as before.
    """
    from airflow.sdk.bases.operator import BaseOperator
    from cosmos.operators.base import AbstractDbtBase
    from cosmos.operators.local import AbstractDbtLocalBase

    for init in (BaseOperator.__init__, AbstractDbtBase.__init__, AbstractDbtLocalBase.__init__):
        function = inspect.unwrap(init)
        if "__signature__" not in vars(function):
            function.__signature__ = inspect.signature(function)
