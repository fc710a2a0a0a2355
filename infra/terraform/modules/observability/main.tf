# The pipeline dashboard and the Glue failure rule; the alarms are in alarms.tf. Metric names are
# the ones the pipeline publishes in the DataOps/Orders namespace (include/dataops), plus Glue's
# own job metrics (--enable-metrics).

locals {
  glue_dimensions = {
    JobName  = var.glue_job_name
    JobRunId = "ALL"
    Type     = "count"
  }

  # CloudWatch SEARCH expressions draw one line per dimension value, so the dashboard needs no
  # list of stages, datasets, tables or models.
  search = {
    for metric, dimension in {
      StageDuration       = "Stage"
      DbtModelDuration    = "Model"
      RecordsRead         = "Dataset"
      RecordsWritten      = "Dataset"
      RecordsQuarantined  = "Dataset"
      RecordsDeduplicated = "Dataset"
      MartRows            = "Table"
      DataFreshness       = "Table"
    } : metric => "SEARCH('{${var.namespace},${dimension}} MetricName=\"${metric}\"', 'Maximum', 86400)"
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
    widgets = [
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
          title  = "Last run: pipeline and quality gate (1 = passed)"
          view   = "singleValue"
          region = var.aws_region
          period = 86400
          stat   = "Minimum"
          metrics = [
            [var.namespace, "PipelineSuccess"],
            [var.namespace, "QualityGatePassed"],
          ]
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
        y      = 8
        width  = 12
        height = 6
        properties = {
          title   = "Duration trend per stage (s)"
          view    = "timeSeries"
          region  = var.aws_region
          metrics = [[{ expression = local.search.StageDuration, id = "stages" }]]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 8
        width  = 12
        height = 6
        properties = {
          title   = "Duration trend per dbt model (s)"
          view    = "timeSeries"
          region  = var.aws_region
          metrics = [[{ expression = local.search.DbtModelDuration, id = "models" }]]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 14
        width  = 12
        height = 6
        properties = {
          title  = "Data volume per dataset: read, written, quarantined, deduplicated"
          view   = "timeSeries"
          region = var.aws_region
          metrics = [
            [{ expression = local.search.RecordsRead, id = "read" }],
            [{ expression = local.search.RecordsWritten, id = "written" }],
            [{ expression = local.search.RecordsQuarantined, id = "quarantined" }],
            [{ expression = local.search.RecordsDeduplicated, id = "deduplicated" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 14
        width  = 12
        height = 6
        properties = {
          title   = "Rows per mart"
          view    = "timeSeries"
          region  = var.aws_region
          metrics = [[{ expression = local.search.MartRows, id = "marts" }]]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 20
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
      {
        type   = "metric"
        x      = 12
        y      = 20
        width  = 12
        height = 6
        properties = {
          title   = "Data freshness per table (hours)"
          view    = "timeSeries"
          region  = var.aws_region
          metrics = [[{ expression = local.search.DataFreshness, id = "freshness" }]]
          annotations = {
            horizontal = [{ label = "SLA", value = var.freshness_hours }]
          }
        }
      },
    ]
  })
}
