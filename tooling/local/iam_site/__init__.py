"""The sitecustomize that records a sandboxed process's AWS calls for the IAM check (tooling/local/iam.py)."""
