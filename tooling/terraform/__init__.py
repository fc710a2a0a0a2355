"""Terraform without a binary: the HCL parser and evaluator the structural checks use."""
