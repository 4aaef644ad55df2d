# Every minute: fire due Schedule triggers, re-publish the outbox, recover lost attempts.
resource "google_service_account" "cron" {
  account_id   = "${var.name_prefix}-cron"
  display_name = "Aloft Cloud Scheduler caller"

  depends_on = [google_project_service.enabled]
}

resource "google_cloud_run_v2_service_iam_member" "cron_invoker" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.fn["scheduler"].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.cron.email}"
}

resource "google_cloud_scheduler_job" "tick" {
  name             = "${var.name_prefix}-scheduler"
  region           = var.region
  schedule         = var.scheduler_cron
  time_zone        = var.scheduler_time_zone
  attempt_deadline = "320s"

  # A missed tick is caught up by the next one; retrying would only overlap it.
  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.fn["scheduler"].service_config[0].uri
    headers     = { "Content-Type" = "application/json" }
    body        = base64encode("{}")

    oidc_token {
      service_account_email = google_service_account.cron.email
      audience              = google_cloudfunctions2_function.fn["scheduler"].service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.cron_invoker]
}
