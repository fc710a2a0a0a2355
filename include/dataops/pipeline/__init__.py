"""The nightly pipeline's steps as plain functions: reconcile, quality gate, dbt results, orders."""
