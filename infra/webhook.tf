# Opt-in public webhooks (var.public_webhooks). Cloud Run IAM is per service, not per path, so the api
# stays IAM-only and an API Gateway exposes exactly one route to the internet:
#   /api/v1/executions/webhook/{namespace}/{flowId}/{key}
# The gateway calls the api with its own identity; the api still checks the flow's webhook key.
resource "google_service_account" "webhook" {
  count = var.public_webhooks ? 1 : 0

  account_id   = "${var.name_prefix}-webhook"
  display_name = "Aloft public webhook gateway"

  depends_on = [google_project_service.enabled]
}

resource "google_cloud_run_v2_service_iam_member" "webhook_invoker" {
  count = var.public_webhooks ? 1 : 0

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.fn["api"].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.webhook[0].email}"
}

resource "google_api_gateway_api" "webhook" {
  count    = var.public_webhooks ? 1 : 0
  provider = google-beta

  api_id = "${var.name_prefix}-webhook"
  labels = local.labels

  depends_on = [google_project_service.enabled]
}

resource "google_api_gateway_api_config" "webhook" {
  count    = var.public_webhooks ? 1 : 0
  provider = google-beta

  api                  = google_api_gateway_api.webhook[0].api_id
  api_config_id_prefix = "${var.name_prefix}-webhook-"
  labels               = local.labels

  openapi_documents {
    document {
      path = "webhook.yaml"
      contents = base64encode(templatefile("${path.module}/webhook-openapi.yaml.tftpl", {
        title   = "${var.name_prefix} webhooks"
        backend = google_cloudfunctions2_function.fn["api"].service_config[0].uri
      }))
    }
  }

  gateway_config {
    backend_config {
      google_service_account = google_service_account.webhook[0].email
    }
  }

  # A new config is made before the gateway moves off the old one.
  lifecycle {
    create_before_destroy = true
  }
}

resource "google_api_gateway_gateway" "webhook" {
  count    = var.public_webhooks ? 1 : 0
  provider = google-beta

  region     = var.region
  gateway_id = "${var.name_prefix}-webhook"
  api_config = google_api_gateway_api_config.webhook[0].id
  labels     = local.labels

  depends_on = [google_cloud_run_v2_service_iam_member.webhook_invoker]
}
