"""Great Expectations suites and the marts checkpoint, as code (see include/dataops/gx_checks.py)."""
