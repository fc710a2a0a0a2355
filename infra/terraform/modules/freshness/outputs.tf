output "function_name" {
  description = "The freshness Lambda."
  value       = aws_lambda_function.this.function_name
}

output "role_arn" {
  description = "Its role; grant its IAMR: database user read access to the marts."
  value       = aws_iam_role.this.arn
}
