"""The nightly pipeline's steps as plain functions: orders, reconcile, audit + publish, gate, dbt results."""
