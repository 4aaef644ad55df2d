# Internal storage: kestra:/// URIs map to gs://<bucket>/<path>.
resource "google_storage_bucket" "data" {
  name                        = "${var.project_id}-${var.name_prefix}-data"
  project                     = var.project_id
  location                    = var.bucket_location
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.allow_destroy
  labels                      = local.labels

  # Execution files sit under <namespace>/<flowId>/executions/..., so no prefix rule can pick them out
  # from flow state files. The GCS blob store sets customTime on execution files only; this rule deletes
  # them N days later and never touches files without customTime (flow state).
  lifecycle_rule {
    condition {
      days_since_custom_time = var.execution_retention_days
    }
    action {
      type = "Delete"
    }
  }

  # What a task uploads for its Cloud Run Job steps (_jobs/<attempt>/: the working directory and its
  # virtualenv). The task removes it when it ends; this catches what a crashed worker left. Older than
  # Cloud Run's 24 h limit on one execution, with a margin.
  lifecycle_rule {
    condition {
      age            = 3
      matches_prefix = ["_jobs/"]
    }
    action {
      type = "Delete"
    }
  }

  # Uploads that were started and never finished.
  lifecycle_rule {
    condition {
      age = 1
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  depends_on = [google_project_service.enabled]
}

# The function zips that Cloud Build reads.
resource "google_storage_bucket" "sources" {
  name                        = "${var.project_id}-${var.name_prefix}-sources"
  project                     = var.project_id
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true # only build inputs live here
  labels                      = local.labels

  depends_on = [google_project_service.enabled]
}

resource "google_storage_bucket_object" "source" {
  for_each = local.functions

  bucket = google_storage_bucket.sources.name
  # The hash in the name makes a changed bundle redeploy its function, and only that one.
  name   = "${each.key}-${filemd5("${var.functions_source_dir}/${each.key}.zip")}.zip"
  source = "${var.functions_source_dir}/${each.key}.zip"
}
