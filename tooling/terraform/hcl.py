"""Read the Terraform under infra/terraform and evaluate the small part of HCL the tests need.

There is no Terraform binary here, so python-hcl2 parses the files and a tiny evaluator computes
names and validation conditions from the tfvars: literals, string templates, var/local/each/
module references, operators, conditionals, for expressions and the few functions we use.
Anything else raises Unevaluable, so a test never passes on an expression it did not understand.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import yaml

TERRAFORM = Path(__file__).resolve().parents[2] / "infra" / "terraform"
ENVIRONMENTS = ("dev", "staging", "prod")


class Unevaluable(Exception):
    """The expression uses HCL this evaluator does not implement, or a value known only at apply."""


def unquote(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label[0] == label[-1] == '"' else label


class HclSyntaxError(ValueError):
    """A .tf file that does not parse; the message names the file and the position."""


@cache
def parse_file(path: Path) -> dict[str, Any]:
    with path.open() as handle:
        try:
            return hcl2.load(handle)
        except Exception as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise HclSyntaxError(
                f"{path} does not parse as HCL ({first.rstrip('.')}): fix the syntax there."
            ) from None


def parse_dir(directory: Path) -> dict[str, list[Any]]:
    """All .tf files of one module, block lists merged as Terraform merges them."""
    merged: dict[str, list[Any]] = {}
    for path in sorted(directory.glob("*.tf")):
        for key, blocks in parse_file(path).items():
            merged.setdefault(key, []).extend(blocks)
    return merged


def blocks(doc: dict[str, list[Any]], kind: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(type, name, body) of every resource or data block."""
    for item in doc.get(kind, []):
        for rtype, named in item.items():
            for name, body in named.items():
                yield unquote(rtype), unquote(name), body


def labelled(doc: dict[str, list[Any]], kind: str) -> dict[str, dict[str, Any]]:
    """name -> body of single-label blocks (variable, output, module)."""
    return {unquote(name): body for item in doc.get(kind, []) for name, body in item.items()}


def merged_locals(doc: dict[str, list[Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for block in doc.get("locals", []):
        values.update({k: v for k, v in block.items() if not k.startswith("__")})
    return values


def expression_text(value: str) -> str:
    """python-hcl2 writes an expression as "${expr}" and a quoted template with its quotes."""
    if value.startswith("${") and value.endswith("}") and _closing_brace(value, 1) == len(value) - 1:
        return value[2:-1]
    return value


def _closing_brace(text: str, start: int) -> int:
    depth, i, in_string = 0, start, False
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise Unevaluable(f"unbalanced braces in {text!r}")


# ---------------------------------------------------------------- tokenizer and parser

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_-]*)"
    r"|(?P<op>==|!=|>=|<=|&&|\|\||=>|\.\.\.|[-+*/%<>!?:()\[\]{},.=])|(?P<string>\"))"
)


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    i = 0
    while i < len(text):
        if text[i:].strip() == "":
            break
        match = _TOKEN.match(text, i)
        if not match:
            raise Unevaluable(f"cannot read {text[i:]!r}")
        if match.group("string"):
            parts, i = _read_template(text, match.end())
            tokens.append(("template", parts))
            continue
        kind = match.lastgroup or "op"
        tokens.append((kind, match.group(kind)))
        i = match.end()
    tokens.append(("end", None))
    return tokens


def _read_template(text: str, i: int) -> tuple[list[Any], int]:
    """A quoted string: literal pieces and parsed ${} interpolations; returns (parts, next index)."""
    parts: list[Any] = []
    literal: list[str] = []
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            literal.append(escapes.get(text[i + 1], text[i + 1]))
            i += 2
        elif ch == '"':
            parts.append("".join(literal))
            return parts, i + 1
        elif text.startswith("$${", i):
            literal.append("${")
            i += 3
        elif text.startswith("${", i):
            end = _closing_brace(text, i + 1)
            parts.extend(["".join(literal), _Parser(text[i + 2 : end]).parse()])
            literal = []
            i = end + 1
        else:
            literal.append(ch)
            i += 1
    raise Unevaluable(f"unterminated string in {text!r}")


_BINARY = [("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%")]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0

    def parse(self) -> tuple:
        node = self.expression()
        if self.peek() != ("end", None):
            raise Unevaluable(f"unexpected {self.peek()[1]!r} in {self.text!r}")
        return node

    def peek(self) -> tuple[str, Any]:
        return self.tokens[self.pos]

    def take(self, value: str | None = None) -> tuple[str, Any]:
        token = self.tokens[self.pos]
        if value is not None and token[1] != value:
            raise Unevaluable(f"expected {value!r}, got {token[1]!r} in {self.text!r}")
        self.pos += 1
        return token

    def at(self, value: str) -> bool:
        return self.peek()[0] in ("op", "name") and self.peek()[1] == value

    def expression(self) -> tuple:
        condition = self.binary(0)
        if self.at("?"):
            self.take("?")
            yes = self.expression()
            self.take(":")
            return ("cond", condition, yes, self.expression())
        return condition

    def binary(self, level: int) -> tuple:
        if level == len(_BINARY):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek()[0] == "op" and self.peek()[1] in _BINARY[level]:
            op = self.take()[1]
            left = ("binop", op, left, self.binary(level + 1))
        return left

    def unary(self) -> tuple:
        if self.at("!") or self.at("-"):
            op = self.take()[1]
            return ("unary", op, self.unary())
        return self.postfix(self.primary())

    def postfix(self, node: tuple) -> tuple:
        while True:
            if self.at("."):
                self.take(".")
                node = ("attr", node, self.take()[1])
            elif self.at("["):
                self.take("[")
                node = ("index", node, self.expression())
                self.take("]")
            else:
                return node

    def primary(self) -> tuple:
        kind, value = self.take()
        if kind == "number":
            return ("lit", float(value) if "." in value else int(value))
        if kind == "template":
            return ("template", value)
        if kind == "name":
            if value in ("true", "false"):
                return ("lit", value == "true")
            if value == "null":
                return ("lit", None)
            if self.at("("):
                return self.call(value)
            return ("ref", value)
        if value == "(":
            node = self.expression()
            self.take(")")
            return node
        if value == "[":
            return self.sequence()
        if value == "{":
            return self.mapping()
        raise Unevaluable(f"unexpected {value!r} in {self.text!r}")

    def call(self, name: str) -> tuple:
        self.take("(")
        args = []
        while not self.at(")"):
            args.append(self.expression())
            if not self.at(")"):
                self.take(",")
        self.take(")")
        return ("call", name, args)

    def for_head(self) -> tuple[list[str], tuple]:
        self.take("for")
        names = [self.take()[1]]
        if self.at(","):
            self.take(",")
            names.append(self.take()[1])
        self.take("in")
        collection = self.expression()
        self.take(":")
        return names, collection

    def for_tail(self) -> tuple | None:
        if self.at("if"):
            self.take("if")
            return self.expression()
        return None

    def sequence(self) -> tuple:
        if self.at("for"):
            names, collection = self.for_head()
            body = self.expression()
            condition = self.for_tail()
            self.take("]")
            return ("for_list", names, collection, body, condition)
        items = []
        while not self.at("]"):
            items.append(self.expression())
            if not self.at("]"):
                self.take(",")
        self.take("]")
        return ("list", items)

    def mapping(self) -> tuple:
        if self.at("for"):
            names, collection = self.for_head()
            key = self.expression()
            self.take("=>")
            value = self.expression()
            condition = self.for_tail()
            self.take("}")
            return ("for_map", names, collection, key, value, condition)
        pairs = []
        while not self.at("}"):
            key_kind, key = self.take()
            key_node = ("template", key) if key_kind == "template" else ("lit", key)
            self.take("=") if self.at("=") else self.take(":")
            pairs.append((key_node, self.expression()))
            if self.at(","):
                self.take(",")
        self.take("}")
        return ("map", pairs)


# ---------------------------------------------------------------- evaluation


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
            return self.node(_Parser(expression_text(value)).parse())
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


class LazyMap(dict):
    """A map whose values are computed on first use (locals and module inputs refer to each other)."""

    def __init__(self, compute: Callable[[str], Any], names: list[str]) -> None:
        super().__init__()
        self.compute = compute
        self.names = set(names)

    def __contains__(self, key: object) -> bool:
        return key in self.names

    def __missing__(self, key: str) -> Any:
        if key not in self.names:
            raise KeyError(key)
        value = self[key] = self.compute(key)
        return value


class Module:
    """One module instance: its variables bound to values, resources evaluated per instance."""

    def __init__(self, directory: Path, inputs: LazyMap | dict[str, Any]) -> None:
        self.directory = directory
        self.doc = parse_dir(directory)
        self.variables = labelled(self.doc, "variable")
        raw_locals = merged_locals(self.doc)
        self.var = LazyMap(lambda name: self._variable(name, inputs), list(self.variables))
        self.local = LazyMap(lambda name: self.scope.eval(raw_locals[name]), list(raw_locals))
        self.scope = Scope(
            {
                "var": self.var,
                "local": self.local,
                "module": self._modules(),
                "path": {"module": str(directory)},
            }
        )
        self.scope.roots.update(self._resource_roots())

    def _variable(self, name: str, inputs: LazyMap | dict[str, Any]) -> Any:
        if name in inputs:
            return inputs[name]
        if "default" in self.variables[name]:
            return self.scope.eval(self.variables[name]["default"])
        raise Unevaluable(f"variable {name} of {self.directory} has no value")

    def _modules(self) -> LazyMap:
        calls = labelled(self.doc, "module")

        def build(name: str) -> ModuleOutputs:
            body = calls[name]
            source = (self.directory / self.scope.eval(body["source"])).resolve()
            args = {k: v for k, v in body.items() if k != "source" and not k.startswith("__")}
            inputs = LazyMap(lambda arg: self.scope.eval(args[arg]), list(args))
            return ModuleOutputs(Module(source, inputs))

        return LazyMap(build, list(calls))

    def _resource_roots(self) -> dict[str, Any]:
        """Resource types as roots, so module outputs like aws_s3_bucket.this[*].id evaluate."""
        names: dict[str, list[str]] = {}
        for rtype, name, _ in blocks(self.doc, "resource"):
            names.setdefault(rtype, []).append(name)
        return {
            rtype: LazyMap(lambda n, t=rtype: self._resource_value(t, n), listed)
            for rtype, listed in names.items()
        }

    def _resource_value(self, rtype: str, name: str) -> Any:
        instances = {key: _known_attributes(rtype, attrs) for key, attrs in self.instances(rtype, name)}
        return instances[None] if list(instances) == [None] else instances

    def resource(self, rtype: str, name: str) -> dict[str, Any]:
        for found_type, found_name, body in blocks(self.doc, "resource"):
            if (found_type, found_name) == (rtype, name):
                return body
        raise KeyError(f"{rtype}.{name} not in {self.directory}")

    def instances(self, rtype: str, name: str) -> Iterator[tuple[Any, dict[str, Any]]]:
        """(instance key, evaluated top-level arguments) of every instance the resource creates."""
        body = self.resource(rtype, name)
        meta = ("for_each", "count", "depends_on", "lifecycle", "dynamic", "provider")
        arguments = {k: v for k, v in body.items() if not k.startswith("__") and k not in meta}
        if "for_each" in body:
            collection = self.scope.eval(body["for_each"])
            pairs = collection.items() if isinstance(collection, dict) else ((k, k) for k in collection)
            scopes = [(key, self.scope.child(each={"key": key, "value": value})) for key, value in pairs]
        elif "count" in body:
            count = self.scope.eval(body["count"])
            scopes = [(i, self.scope.child(count={"index": i})) for i in range(count)]
        else:
            scopes = [(None, self.scope)]
        for key, scope in scopes:
            yield key, {k: _try(scope, v) for k, v in arguments.items()}


class ModuleOutputs(dict):
    def __init__(self, module: Module) -> None:
        super().__init__()
        self.module = module
        self.outputs = labelled(module.doc, "output")

    def __missing__(self, name: str) -> Any:
        return self.module.scope.eval(self.outputs[name]["value"])


class _Unknown:
    """A value known only after apply; using it raises Unevaluable."""

    def __init__(self, error: Unevaluable) -> None:
        self.error = error

    def __getitem__(self, key: Any) -> Any:
        raise self.error

    def __str__(self) -> str:
        raise self.error


def _try(scope: Scope, value: Any) -> Any:
    """Evaluate what is known before apply; leave the rest as _Unknown leaves."""
    if isinstance(value, list):
        return [_try(scope, item) for item in value]
    if isinstance(value, dict):
        return {unquote(k): _try(scope, v) for k, v in value.items() if not k.startswith("__")}
    try:
        return scope.eval(value)
    except Unevaluable as error:
        return _Unknown(error)


def _known_attributes(rtype: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """The few computed attributes whose value the provider derives from the arguments."""
    if rtype == "aws_s3_bucket":
        return {**attrs, "id": attrs["bucket"], "arn": f"arn:aws:s3:::{attrs['bucket']}"}
    return attrs


def tfvars(env: str) -> dict[str, Any]:
    doc = parse_file(TERRAFORM / "envs" / env / "terraform.tfvars")
    return Scope({}).eval({k: v for k, v in doc.items() if not k.startswith("__")})


def root(env: str, overrides: dict[str, Any] | None = None) -> Module:
    """The environment's root module with its tfvars (and any overrides) bound to the variables."""
    return Module(TERRAFORM / "envs" / env, {**tfvars(env), **(overrides or {})})


def main() -> int:
    """`make tf-check`'s first step: every .tf file parses, or a one-line error names the file."""
    files = sorted(TERRAFORM.rglob("*.tf"))
    try:
        for path in files:
            parse_file(path)
    except HclSyntaxError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"hcl: all {len(files)} .tf files parse")
    return 0


if __name__ == "__main__":
    sys.exit(main())
