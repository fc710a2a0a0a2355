"""What the pipeline tells people and CloudWatch: metrics and SNS notifications."""
