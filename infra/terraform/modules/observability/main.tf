# The pipeline dashboard and the Glue failure rule; the alarms are in alarms.tf. Metric names are
# the ones the pipeline publishes in the DataOps/Orders namespace (include/dataops), plus Glue's
# own job metrics (--enable-metrics).

locals {
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
          # One SLA line per table, from dbt meta.freshness (local.freshness, alarms.tf).
          horizontal = metric.name == "DataFreshness" ? [for table, spec in local.freshness : { label = "SLA ${table}", value = spec.sla_hours }] : []
        }
      }
    }
  ]
  series_end = 8 + (length(local.series) + length(local.series) % 2) * 3
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
              aws_cloudwatch_metric_alarm.glue_records_read_low.arn,
              aws_cloudwatch_metric_alarm.glue_s3_write_bytes_low.arn,
              aws_cloudwatch_metric_alarm.glue_jvm_heap_high.arn,
              aws_cloudwatch_metric_alarm.dbt_model_regressions.arn,
            ],
            [for alarm in aws_cloudwatch_metric_alarm.data_freshness : alarm.arn],
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
            ["Glue", "glue.ALL.s3.filesystem.write_bytes", "JobName", var.glue_job_name, "JobRunId", "ALL", "Type", "gauge", { stat = "Sum" }],
            ["Glue", "glue.ALL.jvm.heap.usage", "JobName", var.glue_job_name, "JobRunId", "ALL", "Type", "gauge", { stat = "Maximum", yAxis = "right" }],
          ]
        }
      },
    ], local.series_widgets)
  })
}
