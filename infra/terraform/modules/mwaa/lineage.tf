# OpenLineage (issue 14): the apache-airflow-providers-openlineage provider is disabled until a
# transport is set. By default every event is a file in the artifacts bucket (the provider's File
# transport over s3fs, one object per event); set openlineage_transport to the provider's JSON
# for another backend, for example {"type": "http", "url": "https://marquez.example"}.
# main.tf merges these options into the environment's airflow_configuration_options.

variable "openlineage_transport" {
  description = "The OpenLineage provider's transport as JSON; empty: files under s3://<artifacts>/lineage/."
  type        = string
  default     = ""
}

variable "openlineage_namespace" {
  description = "OpenLineage job namespace of this environment's DAGs."
  type        = string
  default     = "dataops"
}

locals {
  # execute_in_thread: each task's START and COMPLETE events are sent from a thread of the task
  # runner, not a fork of it per event (tenths of a second a task: the fork, a new client), the
  # mode the provider documents as unable to leave a task stuck running.
  lineage_configuration_options = {
    "openlineage.namespace"         = var.openlineage_namespace
    "openlineage.execute_in_thread" = "True"
    "openlineage.transport"         = var.openlineage_transport != "" ? var.openlineage_transport : jsonencode({
      type          = "file"
      log_file_path = "s3://${var.bucket_names["artifacts"]}/lineage/events"
      append        = false
    })
  }
}
