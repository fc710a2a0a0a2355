"""The pipeline health report: the run history in the artifacts bucket, drawn as one HTML page."""
