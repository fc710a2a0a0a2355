"""The two ways reading Terraform fails here; a leaf module, so every other one can raise them."""

from __future__ import annotations


class Unevaluable(Exception):
    """The expression uses HCL this evaluator does not implement, or a value known only at apply."""


class HclSyntaxError(ValueError):
    """A .tf file that does not parse; the message names the file and the position."""
