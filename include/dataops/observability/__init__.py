"""What the pipeline tells people and CloudWatch: metrics, alerts, timing, freshness, DORA, report."""
