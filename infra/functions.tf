# One Cloud Function (2nd gen) per entry of local.functions. None has an event_trigger block: each is a
# Cloud Run service invoked over authenticated HTTP by its trigger (eventarc.tf, pubsub.tf, scheduler.tf),
# and functions-framework takes the signature type (http or cloudEvent) from what functions/ registers.
resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions

  name        = "${var.name_prefix}-${each.key}"
  location    = var.region
  description = "Aloft ${each.key} (${each.value.trigger} trigger)"
  labels      = local.labels

  build_config {
    runtime         = "nodejs22"
    entry_point     = each.value.entry_point
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.source[each.key].name
      }
    }
  }

  service_config {
    min_instance_count               = local.function_config[each.key].min_instances
    max_instance_count               = local.function_config[each.key].max_instances
    available_memory                 = local.function_config[each.key].memory
    available_cpu                    = local.function_config[each.key].cpu
    max_instance_request_concurrency = local.function_config[each.key].concurrency
    timeout_seconds                  = local.function_config[each.key].timeout_seconds
    ingress_settings                 = each.value.ingress
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.fn[each.key].email
    # The runtime hands resumable tasks over to a continuation before this limit (lib/runtime/cloud/config.ts).
    environment_variables = merge(local.runtime_env, {
      ALOFT_FUNCTION_TIMEOUT_MS = tostring(local.function_config[each.key].timeout_seconds * 1000)
      }, contains(local.container_workers, each.key) ? {
      # DOCKER steps run as Cloud Run Jobs (infra/cloud-run-jobs.tf).
      ALOFT_CLOUD_RUN_REGION          = var.region
      ALOFT_CLOUD_RUN_SERVICE_ACCOUNT = google_service_account.container_job.email
    } : {})

    dynamic "secret_environment_variables" {
      for_each = each.key == "api" && var.api_token_secret_id != null ? [var.api_token_secret_id] : []
      content {
        key        = "ALOFT_API_TOKEN"
        project_id = var.project_id
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  lifecycle {
    precondition {
      condition     = length(setsubtract(keys(var.function_settings), keys(local.functions))) == 0
      error_message = "function_settings names unknown functions: ${join(", ", setsubtract(keys(var.function_settings), keys(local.functions)))}."
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.build,
    google_secret_manager_secret_iam_member.api_token,
  ]
}
