"""HCL expressions, from python-hcl2's "${...}" strings to a small syntax tree of tuples.

The smallest equivalent of HCL's expression grammar that the structural tests need: literals,
string templates, references, operators, conditionals, calls and for expressions. Anything else
raises Unevaluable, so a test never passes on an expression it did not understand.
"""

from __future__ import annotations

import re
from typing import Any

from tooling.terraform.errors import Unevaluable


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
            parts.extend(["".join(literal), Parser(text[i + 2 : end]).parse()])
            literal = []
            i = end + 1
        else:
            literal.append(ch)
            i += 1
    raise Unevaluable(f"unterminated string in {text!r}")


_BINARY = [("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%")]


class Parser:
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
