# Alarms, the pipeline dashboard and the Glue failure rule. Metric names are the ones the
# pipeline publishes in the DataOps/Orders namespace (include/dataops), plus Glue's own job
# metrics (--enable-metrics). Every alarm notifies the alerts topic.

locals {
  glue_dimensions = {
    JobName  = var.glue_job_name
    JobRunId = "ALL"
    Type     = "count"
  }

  # The pipeline's own metrics come from one list, include/dataops/observability/
  # metric_definitions.py (`make metric-definitions` writes the JSON; a test fails when they
  # differ). Per-run values share one single-value widget; the rest get a chart each, where a
  # SEARCH expression draws one line per dimension value, so no stage or table is listed here.
  metrics = jsondecode(file("${path.module}/metric_definitions.json"))
  run_values = [
    for metric in local.metrics : [var.namespace, metric.name, { label = metric.title, stat = metric.statistic }]
    if length(metric.dimensions) == 0
  ]
  series = [for metric in local.metrics : metric if length(metric.dimensions) > 0]
  series_widgets = [
    for index, metric in local.series : {
      type   = "metric"
      x      = (index % 2) * 12
      y      = 8 + (index - index % 2) * 3
      width  = 12
      height = 6
      properties = {
        title   = metric.title
        view    = "timeSeries"
        region  = var.aws_region
        metrics = [[{ expression = "SEARCH('{${var.namespace},${metric.dimensions[0]}} MetricName=\"${metric.name}\"', '${metric.statistic}', 86400)", id = "m${index}" }]]
        annotations = {
          horizontal = metric.name == "DataFreshness" ? [{ label = "SLA", value = var.freshness_hours }] : []
        }
      }
    }
  ]
  series_end = 8 + (length(local.series) + length(local.series) % 2) * 3

  alarm_actions = [var.alerts_topic_arn]
}

# ---------------------------------------------------------------- Glue job

resource "aws_cloudwatch_metric_alarm" "glue_failed_tasks" {
  alarm_name          = "${var.name_prefix}-glue-failed-tasks"
  alarm_description   = "${var.glue_job_name} had failed Spark tasks: open the job run's logs in CloudWatch."
  namespace           = "Glue"
  metric_name         = "glue.driver.aggregate.numFailedTasks"
  dimensions          = local.glue_dimensions
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "glue_records_written_low" {
  alarm_name          = "${var.name_prefix}-glue-records-written-low"
  alarm_description   = "${var.glue_job_name} wrote fewer records in a day than the baseline (${var.records_written_baseline}): check the raw partition and the quarantine."
  namespace           = "Glue"
  metric_name         = "glue.driver.aggregate.recordsWritten"
  dimensions          = local.glue_dimensions
  statistic           = "Sum"
  period              = 86400
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = var.records_written_baseline
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "glue_s3_write_bytes_low" {
  alarm_name          = "${var.name_prefix}-glue-s3-write-bytes-low"
  alarm_description   = "${var.glue_job_name} wrote fewer bytes to S3 in a day than the baseline (${var.s3_write_bytes_baseline}): check the raw partition and the quarantine."
  namespace           = "Glue"
  metric_name         = "glue.ALL.s3.filesystem.write_bytes"
  dimensions          = local.glue_dimensions
  statistic           = "Sum"
  period              = 86400
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = var.s3_write_bytes_baseline
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "glue_jvm_heap_high" {
  alarm_name          = "${var.name_prefix}-glue-jvm-heap-high"
  alarm_description   = "${var.glue_job_name} executors used over ${var.jvm_heap_usage_threshold * 100}% of the JVM heap: add workers or a larger worker type."
  namespace           = "Glue"
  metric_name         = "glue.ALL.jvm.heap.usage"
  dimensions          = merge(local.glue_dimensions, { Type = "gauge" })
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.jvm_heap_usage_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  tags                = var.tags
}

# ---------------------------------------------------------------- the pipeline's own metrics

resource "aws_cloudwatch_metric_alarm" "pipeline_failed" {
  alarm_name          = "${var.name_prefix}-pipeline-failed"
  alarm_description   = "The nightly pipeline did not succeed in the last day (PipelineSuccess < 1 or absent): see the DAG run in MWAA."
  namespace           = var.namespace
  metric_name         = "PipelineSuccess"
  statistic           = "Minimum"
  period              = 86400
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "quality_gate_failed" {
  alarm_name          = "${var.name_prefix}-quality-gate-failed"
  alarm_description   = "The quality gate failed (QualityGatePassed < 1): nothing was published; read the GX results in the artifacts bucket."
  namespace           = var.namespace
  metric_name         = "QualityGatePassed"
  statistic           = "Minimum"
  period              = 86400
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "data_freshness" {
  for_each = toset(var.freshness_tables)

  alarm_name          = "${var.name_prefix}-freshness-${each.key}"
  alarm_description   = "${each.key} is older than ${var.freshness_hours} hours (DataFreshness): the nightly run has not published it."
  namespace           = var.namespace
  metric_name         = "DataFreshness"
  dimensions          = { Table = each.key }
  statistic           = "Maximum"
  period              = 3600
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.freshness_hours
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  tags                = var.tags
}

# A model's duration regresses when it leaves the band CloudWatch learned from its history.
resource "aws_cloudwatch_metric_alarm" "dbt_duration_regression" {
  for_each = toset(var.dbt_models)

  alarm_name          = "${var.name_prefix}-dbt-duration-${each.key}"
  alarm_description   = "dbt model ${each.key} ran slower than its usual band (DbtModelDuration): compare its compiled SQL and row counts with the last good run."
  evaluation_periods  = 1
  comparison_operator = "GreaterThanUpperThreshold"
  threshold_metric_id = "band"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  tags                = var.tags

  metric_query {
    id          = "duration"
    return_data = true

    metric {
      namespace   = var.namespace
      metric_name = "DbtModelDuration"
      dimensions  = { Model = each.key }
      stat        = "Maximum"
      period      = 86400
    }
  }

  metric_query {
    id          = "band"
    expression  = "ANOMALY_DETECTION_BAND(duration, ${var.dbt_duration_band_width})"
    label       = "usual duration"
    return_data = true
  }
}

# ---------------------------------------------------------------- Glue job state changes

resource "aws_cloudwatch_event_rule" "glue_job_failed" {
  name        = "${var.name_prefix}-glue-job-failed"
  description = "${var.glue_job_name} ended FAILED, TIMEOUT or STOPPED."
  tags        = var.tags

  event_pattern = jsonencode({
    source      = ["aws.glue"]
    detail-type = ["Glue Job State Change"]
    detail = {
      jobName = [var.glue_job_name]
      state   = ["FAILED", "TIMEOUT", "STOPPED"]
    }
  })
}

resource "aws_cloudwatch_event_target" "glue_job_failed" {
  rule      = aws_cloudwatch_event_rule.glue_job_failed.name
  target_id = "alerts-topic"
  arn       = var.alerts_topic_arn

  input_transformer {
    input_paths = {
      job     = "$.detail.jobName"
      run     = "$.detail.jobRunId"
      state   = "$.detail.state"
      message = "$.detail.message"
    }
    input_template = "\"Glue job <job> run <run> ended <state>: <message>\""
  }
}

# ---------------------------------------------------------------- dashboard

resource "aws_cloudwatch_dashboard" "pipeline" {
  dashboard_name = "${var.name_prefix}-pipeline"

  dashboard_body = jsonencode({
    widgets = concat([
      {
        type   = "alarm"
        x      = 0
        y      = 0
        width  = 24
        height = 4
        properties = {
          title = "Last status of every check"
          alarms = concat(
            [
              aws_cloudwatch_metric_alarm.pipeline_failed.arn,
              aws_cloudwatch_metric_alarm.quality_gate_failed.arn,
              aws_cloudwatch_metric_alarm.glue_failed_tasks.arn,
              aws_cloudwatch_metric_alarm.glue_records_written_low.arn,
              aws_cloudwatch_metric_alarm.glue_s3_write_bytes_low.arn,
              aws_cloudwatch_metric_alarm.glue_jvm_heap_high.arn,
            ],
            [for alarm in aws_cloudwatch_metric_alarm.data_freshness : alarm.arn],
            [for alarm in aws_cloudwatch_metric_alarm.dbt_duration_regression : alarm.arn],
          )
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 4
        width  = 12
        height = 4
        properties = {
          title   = "Last run: pipeline and quality gate (1 = passed)"
          view    = "singleValue"
          region  = var.aws_region
          period  = 86400
          metrics = local.run_values
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 4
        width  = 12
        height = 4
        properties = {
          title  = "Last run: Glue job"
          view   = "singleValue"
          region = var.aws_region
          period = 86400
          stat   = "Sum"
          metrics = [
            ["Glue", "glue.driver.aggregate.recordsWritten", "JobName", var.glue_job_name, "JobRunId", "ALL", "Type", "count"],
            ["Glue", "glue.driver.aggregate.numFailedTasks", "JobName", var.glue_job_name, "JobRunId", "ALL", "Type", "count"],
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = local.series_end
        width  = 12
        height = 6
        properties = {
          title  = "Glue: S3 bytes written and JVM heap"
          view   = "timeSeries"
          region = var.aws_region
          period = 3600
          metrics = [
            ["Glue", "glue.ALL.s3.filesystem.write_bytes", "JobName", var.glue_job_name, "JobRunId", "ALL", "Type", "count", { stat = "Sum" }],
            ["Glue", "glue.ALL.jvm.heap.usage", "JobName", var.glue_job_name, "JobRunId", "ALL", "Type", "gauge", { stat = "Maximum", yAxis = "right" }],
          ]
        }
      },
    ], local.series_widgets)
  })
}
