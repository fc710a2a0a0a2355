"""Repository tooling, never uploaded to MWAA: deploy tool, CI stage runner, lock tool, local stack."""
