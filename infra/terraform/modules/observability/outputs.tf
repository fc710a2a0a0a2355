output "dashboard_name" {
  description = "The pipeline dashboard."
  value       = aws_cloudwatch_dashboard.pipeline.dashboard_name
}

output "glue_failure_rule_arn" {
  description = "EventBridge rule on the Glue job's FAILED, TIMEOUT and STOPPED states."
  value       = aws_cloudwatch_event_rule.glue_job_failed.arn
}
