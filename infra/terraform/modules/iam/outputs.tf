output "deploy_role_arn" {
  description = "Role GitHub Actions assumes (aws-actions/configure-aws-credentials role-to-assume)."
  value       = aws_iam_role.deploy.arn
}

output "human_role_arns" {
  description = "Role per human access level."
  value       = { for level, role in aws_iam_role.human : level => role.arn }
}
