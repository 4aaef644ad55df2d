# Firestore wakes the executor: every document written under an execution's inbox.
resource "google_service_account" "eventarc" {
  account_id   = "${var.name_prefix}-eventarc"
  display_name = "Aloft Eventarc trigger of the executor"

  depends_on = [google_project_service.enabled]
}

resource "google_project_iam_member" "eventarc_receiver" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = "serviceAccount:${google_service_account.eventarc.email}"
}

resource "google_cloud_run_v2_service_iam_member" "eventarc_invoker" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.fn["executor"].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.eventarc.email}"
}

resource "google_service_account_iam_member" "eventarc_token_creator" {
  service_account_id = google_service_account.eventarc.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_project_service_identity.pubsub.email}"
}

resource "google_eventarc_trigger" "executor" {
  name = "${var.name_prefix}-executor"
  # Firestore triggers must live in the database's location (a region, or nam5/eur3).
  location        = google_firestore_database.aloft.location_id
  service_account = google_service_account.eventarc.email
  # Firestore sends DocumentEventData as protobuf; the executor decodes it.
  event_data_content_type = "application/protobuf"
  labels                  = local.labels

  matching_criteria {
    attribute = "type"
    value     = var.executor_event_type
  }

  matching_criteria {
    attribute = "database"
    value     = google_firestore_database.aloft.name
  }

  matching_criteria {
    attribute = "document"
    operator  = "match-path-pattern"
    value     = local.functions["executor"].document
  }

  destination {
    cloud_run_service {
      service = google_cloudfunctions2_function.fn["executor"].name
      region  = var.region
    }
  }

  depends_on = [
    google_project_iam_member.eventarc_receiver,
    google_cloud_run_v2_service_iam_member.eventarc_invoker,
    google_service_account_iam_member.eventarc_token_creator,
  ]
}
