# One service account per function, and one per caller (Pub/Sub push, Eventarc, Cloud Scheduler, Cloud Build).
# Every grant names a predefined role on the narrowest resource that works: no basic roles.

resource "google_service_account" "fn" {
  for_each = local.functions

  account_id   = "${var.name_prefix}-${each.key}"
  display_name = "Aloft ${each.key} function"

  depends_on = [google_project_service.enabled]
}

# Firestore grants exist only at project level; datastore.user reads and writes documents, nothing more.
resource "google_project_iam_member" "firestore_user" {
  for_each = local.functions

  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# Tasks read secrets through secret(); only workers run tasks.
resource "google_project_iam_member" "worker_secrets" {
  for_each = local.worker_functions

  project = var.project_id
  role    = "roles/secretmanager.secretAccessor"
  member  = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# The io.kestra.plugin.gcp.* tasks act on the user's own datasets, buckets and topics, so their roles are
# project roles, listed in var.worker_gcp_roles (Firestore's datastore.user is granted above).
resource "google_project_iam_member" "worker_gcp" {
  for_each = toset(var.worker_gcp_roles)

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.fn["worker-gcp"].email}"
}

# Internal storage: objects only, no bucket settings. Every function may touch files: the scheduler
# runs executor steps and starts executions (inputs) too.
resource "google_storage_bucket_iam_member" "data_objects" {
  for_each = local.functions

  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# The executor dispatches worker tasks; the scheduler re-publishes the outbox and retries lost attempts.
resource "google_pubsub_topic_iam_member" "dispatch" {
  for_each = {
    for pair in setproduct(["executor", "scheduler"], keys(local.worker_functions)) :
    "${pair[0]} ${pair[1]}" => { publisher = pair[0], worker = pair[1] }
  }

  topic  = google_pubsub_topic.fn[each.value.worker].id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn[each.value.publisher].email}"
}

# A worker publishes continuations of long tasks to its own topic.
resource "google_pubsub_topic_iam_member" "continuation" {
  for_each = local.worker_functions

  topic  = google_pubsub_topic.fn[each.key].id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# A message that does not parse goes to the dead-letter topic with its reason, sent by the function itself.
resource "google_pubsub_topic_iam_member" "own_dead_letter" {
  for_each = local.pubsub_functions

  topic  = google_pubsub_topic.dead_letter[each.key].id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# The executor dead-letters a Firestore event it cannot read; this topic is the only one it may dead-letter to.
resource "google_pubsub_topic_iam_member" "executor_dead_letter" {
  topic  = google_pubsub_topic.executor_dead_letter.id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn["executor"].email}"
}

resource "google_secret_manager_secret_iam_member" "api_token" {
  count = var.api_token_secret_id == null ? 0 : 1

  project   = var.project_id
  secret_id = var.api_token_secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.fn["api"].email}"
}

# Who may call the api (it never allows unauthenticated calls; see webhook.tf for the public route).
resource "google_cloud_run_v2_service_iam_member" "api_invoker" {
  for_each = toset(var.api_invokers)

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.fn["api"].name
  role     = "roles/run.invoker"
  member   = each.key
}

# Cloud Build builds the function images with this account instead of a default one.
resource "google_service_account" "build" {
  account_id   = "${var.name_prefix}-build"
  display_name = "Aloft function builds"

  depends_on = [google_project_service.enabled]
}

# The roles Google documents for a custom build service account of Cloud Run functions.
resource "google_project_iam_member" "build" {
  for_each = toset(["roles/logging.logWriter", "roles/artifactregistry.writer", "roles/storage.objectAdmin"])

  project = var.project_id
  role    = each.key
  member  = "serviceAccount:${google_service_account.build.email}"
}

# Pub/Sub push identity: the OIDC token on every push subscription.
resource "google_service_account" "push" {
  account_id   = "${var.name_prefix}-push"
  display_name = "Aloft Pub/Sub push to workers and pubsub-trigger"

  depends_on = [google_project_service.enabled]
}

resource "google_cloud_run_v2_service_iam_member" "push_invoker" {
  for_each = local.pubsub_functions

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.push.email}"
}

# Pub/Sub mints the push OIDC token as this account (needed in projects created before April 2021).
resource "google_service_account_iam_member" "pubsub_token_creator" {
  service_account_id = google_service_account.push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_project_service_identity.pubsub.email}"
}
