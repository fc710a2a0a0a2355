output "topic_arns" {
  description = "Topic ARN per purpose (alerts, notifications)."
  value       = { for purpose, topic in aws_sns_topic.this : purpose => topic.arn }
}

output "topic_names" {
  description = "Topic name per purpose (alerts, notifications)."
  value       = { for purpose, topic in aws_sns_topic.this : purpose => topic.name }
}
