locals {
  required_apis = concat([
    "artifactregistry.googleapis.com", # images that Cloud Build makes of each function
    "cloudbuild.googleapis.com",       # builds the function images from the zips
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "eventarc.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com", # gen2 functions are Cloud Run services
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
    ], var.public_webhooks ? [
    "apigateway.googleapis.com",
    "servicecontrol.googleapis.com",
    "servicemanagement.googleapis.com",
  ] : [])
}

resource "google_project_service" "enabled" {
  for_each = toset(local.required_apis)

  project = var.project_id
  service = each.key
  # Other workloads in the project may use these APIs: never switch them off on destroy.
  disable_on_destroy = false
}
