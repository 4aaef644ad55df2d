output "api_url" {
  description = "URL of the api function (IAM-only: call it with an identity token of a member of api_invokers)."
  value       = google_cloudfunctions2_function.fn["api"].service_config[0].uri
}

output "webhook_url" {
  description = "Public base URL of the webhook route when public_webhooks is true, else null. Call <url>/api/v1/executions/webhook/<namespace>/<flowId>/<key>."
  value       = var.public_webhooks ? "https://${google_api_gateway_gateway.webhook[0].default_hostname}" : null
}

output "bucket" {
  description = "The internal-storage bucket (kestra:/// URIs map to gs://<bucket>/<path>)."
  value       = google_storage_bucket.data.name
}

output "firestore_database" {
  description = "The Firestore database holding flows and executions."
  value       = google_firestore_database.aloft.name
}

output "topics" {
  description = "Topic consumed by each Pub/Sub-triggered function, by function name."
  value       = { for name, topic in google_pubsub_topic.fn : name => topic.name }
}

output "dead_letter_topics" {
  description = "Dead-letter topic of each Pub/Sub-triggered function, by function name; pull subscriptions of the same name keep dead letters for 7 days."
  value       = { for name, topic in google_pubsub_topic.dead_letter : name => topic.name }
}

output "executor_dead_letter_topic" {
  description = "Where the executor publishes the Firestore events it cannot read, with a reason attribute; a pull subscription of the same name keeps them for 7 days."
  value       = google_pubsub_topic.executor_dead_letter.name
}

output "functions" {
  description = "Deployed function name by manifest name."
  value       = { for name, fn in google_cloudfunctions2_function.fn : name => fn.name }
}

output "service_accounts" {
  description = "Service account of each function, by function name. Grant extra roles here, for example BigQuery roles to worker-gcp."
  value       = { for name, sa in google_service_account.fn : name => sa.email }
}
