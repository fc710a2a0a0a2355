# The alarms. Each is held to how often its metric is published (tests/infra/test_alarm_cadence.py)
# and says beside treat_missing_data why missing data means what it is set to. Pages (the data is
# wrong, late or missing) go to the alerts topic; notices (finished, but look at it) to the
# notifications topic. Every description starts with its severity and names the runbook entry in
# the orders_nightly DAG's Docs (doc_md). Glue metric names and types are the ones AWS documents
# (tests/infra/aws_glue_metrics.json).

locals {
  glue_count = { JobName = var.glue_job_name, JobRunId = "ALL", Type = "count" }
  glue_gauge = { JobName = var.glue_job_name, JobRunId = "ALL", Type = "gauge" }
  page       = [var.alerts_topic_arn]
  notice     = [var.notifications_topic_arn]

  # Each critical table's freshness SLA, written once in dbt: meta.freshness in the marts' YAML.
  dbt_marts = yamldecode(file("${path.module}/../../../../dbt/models/marts/_marts.yml")).models
  freshness = { for model in local.dbt_marts : model.name => model.config.meta.freshness if can(model.config.meta.freshness) }
}

# ---------------------------------------------------------------- Glue job (published every 30 s while it runs)

resource "aws_cloudwatch_metric_alarm" "glue_failed_tasks" {
  alarm_name          = "${var.name_prefix}-glue-failed-tasks"
  alarm_description   = "PAGE: ${var.glue_job_name} had failed Spark tasks. Runbook: orders_nightly Docs, entry glue_transform."
  namespace           = "Glue"
  metric_name         = "glue.driver.aggregate.numFailedTasks"
  dimensions          = local.glue_count
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  # Published only while the job runs: between runs, silence is the normal state.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.page
  tags               = var.tags
}

resource "aws_cloudwatch_metric_alarm" "glue_records_read_low" {
  alarm_name          = "${var.name_prefix}-glue-records-read-low"
  alarm_description   = "PAGE: ${var.glue_job_name} read fewer records in a day than the baseline (${var.records_read_baseline}). Runbook: orders_nightly Docs, entry wait_for_raw_partition."
  namespace           = "Glue"
  metric_name         = "glue.driver.aggregate.recordsRead"
  dimensions          = local.glue_count
  statistic           = "Sum"
  period              = 86400
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = var.records_read_baseline
  # A day with no run at all is the pipeline-failed alarm's page; this one judges a run's volume.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.page
  tags               = var.tags
}

resource "aws_cloudwatch_metric_alarm" "glue_s3_write_bytes_low" {
  alarm_name          = "${var.name_prefix}-glue-s3-write-bytes-low"
  alarm_description   = "PAGE: ${var.glue_job_name} wrote fewer bytes to S3 in a day than the baseline (${var.s3_write_bytes_baseline}). Runbook: orders_nightly Docs, entry glue_transform."
  namespace           = "Glue"
  metric_name         = "glue.ALL.s3.filesystem.write_bytes"
  dimensions          = local.glue_gauge
  statistic           = "Sum"
  period              = 86400
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = var.s3_write_bytes_baseline
  # A day with no run at all is the pipeline-failed alarm's page; this one judges a run's output.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.page
  tags               = var.tags
}

resource "aws_cloudwatch_metric_alarm" "glue_jvm_heap_high" {
  alarm_name          = "${var.name_prefix}-glue-jvm-heap-high"
  alarm_description   = "NOTICE: ${var.glue_job_name} executors used over ${var.jvm_heap_usage_threshold * 100}% of the JVM heap for 15 minutes: add workers or a larger worker type. Runbook: orders_nightly Docs, entry glue_transform."
  namespace           = "Glue"
  metric_name         = "glue.ALL.jvm.heap.usage"
  dimensions          = local.glue_gauge
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.jvm_heap_usage_threshold
  # Published only while the job runs: between runs, silence is the normal state.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.notice
  tags               = var.tags
}

# ---------------------------------------------------------------- the pipeline (one datapoint per nightly run)

resource "aws_cloudwatch_metric_alarm" "pipeline_failed" {
  alarm_name          = "${var.name_prefix}-pipeline-failed"
  alarm_description   = "PAGE: no nightly run succeeded in the last 26 hours (PipelineSuccess). Runbook: orders_nightly Docs, entry report."
  namespace           = var.namespace
  metric_name         = "PipelineSuccess"
  statistic           = "Minimum"
  period              = 3600
  evaluation_periods  = 26
  datapoints_to_alarm = 26
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  # The metric is the success itself: 26 hours without one is the failure this alarm exists for.
  # Every one of the 26 hourly periods must breach, so the 23 empty hours between runs never do.
  treat_missing_data = "breaching"
  alarm_actions      = local.page
  tags               = var.tags
}

resource "aws_cloudwatch_metric_alarm" "quality_gate_failed" {
  alarm_name          = "${var.name_prefix}-quality-gate-failed"
  alarm_description   = "PAGE: the quality gate failed (QualityGatePassed < 1); nothing was published. Runbook: orders_nightly Docs, entry quality_gate."
  namespace           = var.namespace
  metric_name         = "QualityGatePassed"
  statistic           = "Minimum"
  period              = 86400
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  # A night without a gate verdict is the pipeline-failed alarm's page, not a failed gate.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.page
  tags               = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dbt_model_regressions" {
  alarm_name          = "${var.name_prefix}-dbt-model-regressions"
  alarm_description   = "PAGE: a dbt model ran far past its rolling baseline (DbtModelRegressions; rule in include/dataops/observability/dbt_timing.py). Runbook: orders_nightly Docs, entry dbt_timing."
  namespace           = var.namespace
  metric_name         = "DbtModelRegressions"
  statistic           = "Maximum"
  period              = 86400
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  # Sent every run, zero included; a night without dbt is the pipeline-failed alarm's page.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.page
  tags               = var.tags
}

# ---------------------------------------------------------------- freshness (the Lambda, every freshness_schedule_minutes)

resource "aws_cloudwatch_metric_alarm" "data_freshness" {
  for_each = local.freshness

  alarm_name          = "${var.name_prefix}-freshness-${each.key}"
  alarm_description   = "PAGE: ${each.key} is older than its SLA of ${each.value.sla_hours} hours (DataFreshness, from dbt meta.freshness). Runbook: orders_nightly Docs, entry data stale."
  namespace           = var.namespace
  metric_name         = "DataFreshness"
  dimensions          = { Table = each.key }
  statistic           = "Maximum"
  period              = var.freshness_schedule_minutes * 60
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.sla_hours
  # The Lambda reports every period: two silent periods mean nobody knows the data is fresh.
  treat_missing_data = "breaching"
  alarm_actions      = local.page
  tags               = var.tags
}
