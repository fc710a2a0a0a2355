"""Terraform modules evaluated from the tfvars: variables, locals, module calls and resource instances."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from tooling.terraform.errors import Unevaluable
from tooling.terraform.evaluate import Scope
from tooling.terraform.files import TERRAFORM, blocks, labelled, merged_locals, parse_dir, parse_file, unquote


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
            rtype: LazyMap(partial(self._resource_value, rtype), listed) for rtype, listed in names.items()
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
