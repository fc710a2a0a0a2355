"""Evaluate parsed HCL expressions in a scope of var, local, each and module values.

Implements only the functions the Terraform here uses; any other raises Unevaluable, as does a
reference to something known only after apply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tooling.terraform.errors import Unevaluable
from tooling.terraform.expressions import Parser, expression_text
from tooling.terraform.files import unquote


def _regex(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    if match is None:
        raise Unevaluable(f"regex {pattern!r} does not match {text!r}")
    return match.group(0)


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "contains": lambda seq, item: item in seq,
    "length": len,
    "regex": _regex,
    "alltrue": lambda seq: all(seq),
    "anytrue": lambda seq: any(seq),
    "keys": lambda mapping: sorted(mapping),
    "values": lambda mapping: [mapping[k] for k in sorted(mapping)],
    "merge": lambda *maps: {k: v for m in maps for k, v in m.items()},
    "concat": lambda *seqs: [x for s in seqs for x in s],
    "toset": lambda seq: sorted(set(seq)),
    "jsonencode": lambda value: json.dumps(value, separators=(",", ":"), sort_keys=True),
    "jsondecode": json.loads,
    "lower": str.lower,
    "upper": str.upper,
    # The alarms read each table's freshness SLA from the dbt YAML, where it is written once.
    "file": lambda path: Path(path).read_text(),
    "yamldecode": yaml.safe_load,
}
_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "%": lambda a, b: a % b,
}


class Scope:
    """Names an expression may use: var, local, each, module; plus any for-expression variables."""

    def __init__(self, roots: dict[str, Any]) -> None:
        self.roots = roots

    def child(self, **names: Any) -> Scope:
        return Scope({**self.roots, **names})

    def eval(self, value: Any) -> Any:
        """Evaluate a python-hcl2 value: expressions in strings, recursing into lists and maps."""
        if isinstance(value, str):
            return self.node(Parser(expression_text(value)).parse())
        if isinstance(value, list):
            return [self.eval(item) for item in value]
        if isinstance(value, dict):
            return {unquote(k): self.eval(v) for k, v in value.items() if not k.startswith("__")}
        return value

    def node(self, node: tuple) -> Any:
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "template":
            pieces = [p if isinstance(p, str) else self.node(p) for p in node[1]]
            if len(pieces) == 3 and pieces[0] == pieces[2] == "" and not isinstance(node[1][1], str):
                return pieces[1]
            return "".join(_as_text(p) for p in pieces)
        if kind == "ref":
            if node[1] not in self.roots:
                raise Unevaluable(f"{node[1]} is not known before apply")
            return self.roots[node[1]]
        if kind == "attr":
            return _get(self.node(node[1]), node[2])
        if kind == "index":
            return _get(self.node(node[1]), self.node(node[2]))
        if kind == "list":
            return [self.node(item) for item in node[1]]
        if kind == "map":
            return {_as_text(self.node(k)): self.node(v) for k, v in node[1]}
        if kind == "unary":
            value = self.node(node[2])
            return (not value) if node[1] == "!" else -value
        if kind == "binop":
            op, left = node[1], self.node(node[2])
            if op == "&&":
                return bool(left) and bool(self.node(node[3]))
            if op == "||":
                return bool(left) or bool(self.node(node[3]))
            return _BINOPS[op](left, self.node(node[3]))
        if kind == "cond":
            return self.node(node[2]) if self.node(node[1]) else self.node(node[3])
        if kind == "call":
            return self.call(node[1], node[2])
        if kind in ("for_list", "for_map"):
            return self.for_expression(node)
        raise Unevaluable(f"unknown node {kind}")

    def call(self, name: str, args: list[tuple]) -> Any:
        if name == "can":
            try:
                self.node(args[0])
            except (Unevaluable, re.error, KeyError, TypeError):
                return False
            return True
        if name not in _FUNCTIONS:
            raise Unevaluable(f"function {name}() is not implemented by the test evaluator")
        return _FUNCTIONS[name](*[self.node(a) for a in args])

    def for_expression(self, node: tuple) -> Any:
        names, collection = node[1], self.node(node[2])
        pairs = collection.items() if isinstance(collection, dict) else enumerate(collection)
        scopes = []
        for key, value in pairs:
            bound = {names[0]: value} if len(names) == 1 else {names[0]: key, names[1]: value}
            scope = self.child(**bound)
            condition = node[-1]
            if condition is None or scope.node(condition):
                scopes.append(scope)
        if node[0] == "for_list":
            return [scope.node(node[3]) for scope in scopes]
        return {scope.node(node[3]): scope.node(node[4]) for scope in scopes}


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _get(container: Any, key: Any) -> Any:
    try:
        return container[key]
    except (KeyError, IndexError, TypeError):
        raise Unevaluable(f"no {key!r} in {container!r}") from None
