# DOCKER steps of Singer and the script tasks run as Cloud Run Jobs (lib/plugins/gcp/run): the two
# workers that run them create a job per step, run it, read its execution and logs, cancel it on kill
# and delete it. No predefined role is that narrow (run.developer also deploys services), so this one
# custom role lists exactly those permissions.
locals {
  container_workers = toset(["worker-singer", "worker-scripts"])
}

resource "google_project_iam_custom_role" "container_jobs" {
  project     = var.project_id
  role_id     = replace("${var.name_prefix}_container_jobs", "-", "_")
  title       = "Aloft container jobs"
  description = "Create, run, read, cancel and delete the Cloud Run Jobs of DOCKER task steps, and read their logs."
  permissions = [
    "run.jobs.create",
    "run.jobs.get",
    "run.jobs.run",
    "run.jobs.delete",
    "run.executions.get",
    "run.executions.cancel",
    "run.operations.get",
    "logging.logEntries.list",
  ]
}

resource "google_project_iam_member" "container_jobs" {
  for_each = local.container_workers

  project = var.project_id
  role    = google_project_iam_custom_role.container_jobs.id
  member  = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# The jobs' own identity: it reads and writes the task's folder of the data bucket (the Cloud Storage
# volume), nothing else. Cloud Run writes the jobs' logs itself.
resource "google_service_account" "container_job" {
  account_id   = "${var.name_prefix}-container-job"
  display_name = "Aloft container jobs (DOCKER task steps)"

  depends_on = [google_project_service.enabled]
}

resource "google_storage_bucket_iam_member" "container_job_objects" {
  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.container_job.email}"
}

# A worker may start a job as that identity, and as no other.
resource "google_service_account_iam_member" "container_job_act_as" {
  for_each = local.container_workers

  service_account_id = google_service_account.container_job.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.fn[each.key].email}"
}
