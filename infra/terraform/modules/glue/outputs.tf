output "job_name" {
  description = "Name of the orders_transform job."
  value       = aws_glue_job.orders_transform.name
}

output "job_arn" {
  description = "ARN of the orders_transform job."
  value       = aws_glue_job.orders_transform.arn
}

output "job_role_arn" {
  description = "Role the job runs as."
  value       = aws_iam_role.job.arn
}

output "crawler_name" {
  description = "Crawler of the curated zone."
  value       = aws_glue_crawler.curated.name
}

output "crawler_arn" {
  description = "ARN of the crawler of the curated zone."
  value       = aws_glue_crawler.curated.arn
}

output "crawler_role_arn" {
  description = "Role the crawler runs as."
  value       = aws_iam_role.crawler.arn
}

output "database_name" {
  description = "Catalog database of the curated zone."
  value       = aws_glue_catalog_database.curated.name
}

output "catalog_arns" {
  description = "Catalog, database and table ARNs of the curated zone."
  value       = local.catalog_arns
}
