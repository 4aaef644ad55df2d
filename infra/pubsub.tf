# One topic per consumer (each worker group, and pubsub-trigger), each with a dead-letter topic.
resource "google_pubsub_topic" "fn" {
  for_each = local.pubsub_functions

  name   = "${local.topic_prefix}${each.value.topic}"
  labels = local.labels

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic" "dead_letter" {
  for_each = local.pubsub_functions

  name   = "${local.topic_prefix}${each.value.topic}-dead-letter"
  labels = local.labels

  depends_on = [google_project_service.enabled]
}

# Dead letters wait here for a week, to be inspected or replayed (see docs/deploy.md).
resource "google_pubsub_subscription" "dead_letter" {
  for_each = local.pubsub_functions

  name                       = "${local.topic_prefix}${each.value.topic}-dead-letter"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  labels                     = local.labels

  expiration_policy {
    ttl = ""
  }
}

# The executor's dead letters: Firestore events it cannot read, published by the executor itself (no
# subscription dead-letters into this topic). Kept a week like the others.
resource "google_pubsub_topic" "executor_dead_letter" {
  name   = "${local.topic_prefix}${local.executor_dead_letter_topic}"
  labels = local.labels

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_subscription" "executor_dead_letter" {
  name                       = google_pubsub_topic.executor_dead_letter.name
  topic                      = google_pubsub_topic.executor_dead_letter.id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  labels                     = local.labels

  expiration_policy {
    ttl = ""
  }
}

# Direct push to the function: unlike an Eventarc-managed subscription, this one is ours to give a
# retry policy and a dead-letter policy.
resource "google_pubsub_subscription" "push" {
  for_each = local.pubsub_functions

  name  = "${local.topic_prefix}${each.value.topic}-push"
  topic = google_pubsub_topic.fn[each.key].id
  # For push, the ack deadline is how long Pub/Sub waits for the function's answer: above its timeout.
  ack_deadline_seconds       = 600
  message_retention_duration = "604800s"
  labels                     = local.labels

  expiration_policy {
    ttl = ""
  }

  retry_policy {
    minimum_backoff = var.retry_minimum_backoff
    maximum_backoff = var.retry_maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.key].id
    max_delivery_attempts = var.max_delivery_attempts
  }

  push_config {
    # functions-framework turns a raw push request into a CloudEvent and takes the topic from this path.
    push_endpoint = "${google_cloudfunctions2_function.fn[each.key].service_config[0].uri}/projects/${var.project_id}/topics/${google_pubsub_topic.fn[each.key].name}"

    oidc_token {
      service_account_email = google_service_account.push.email
      audience              = google_cloudfunctions2_function.fn[each.key].service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.push_invoker, google_service_account_iam_member.pubsub_token_creator]
}

# The user's own topics (var.pubsub_trigger_topics), pushed to pubsub-trigger.
resource "google_pubsub_subscription" "user_topic" {
  for_each = local.user_topics

  name                       = "${local.topic_prefix}aloft-pubsub-trigger-${substr(sha1(each.value), 0, 12)}"
  topic                      = each.value
  ack_deadline_seconds       = 600
  message_retention_duration = "604800s"
  labels                     = local.labels

  expiration_policy {
    ttl = ""
  }

  retry_policy {
    minimum_backoff = var.retry_minimum_backoff
    maximum_backoff = var.retry_maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter["pubsub-trigger"].id
    max_delivery_attempts = var.max_delivery_attempts
  }

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.fn["pubsub-trigger"].service_config[0].uri}/${each.value}"

    oidc_token {
      service_account_email = google_service_account.push.email
      audience              = google_cloudfunctions2_function.fn["pubsub-trigger"].service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.push_invoker, google_service_account_iam_member.pubsub_token_creator]
}

# The Pub/Sub service agent moves undeliverable messages: it must publish to the dead-letter
# topics and subscribe to (acknowledge on) the source subscriptions.
resource "google_project_service_identity" "pubsub" {
  provider = google-beta

  project = var.project_id
  service = "pubsub.googleapis.com"

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = local.pubsub_functions

  topic  = google_pubsub_topic.dead_letter[each.key].id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_project_service_identity.pubsub.email}"
}

resource "google_pubsub_subscription_iam_member" "push_dead_letter_subscriber" {
  for_each = local.pubsub_functions

  subscription = google_pubsub_subscription.push[each.key].id
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${google_project_service_identity.pubsub.email}"
}

resource "google_pubsub_subscription_iam_member" "user_topic_dead_letter_subscriber" {
  for_each = local.user_topics

  subscription = google_pubsub_subscription.user_topic[each.key].id
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${google_project_service_identity.pubsub.email}"
}
