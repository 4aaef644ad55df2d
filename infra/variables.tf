variable "project_id" {
  type        = string
  description = "The Google Cloud project to deploy Aloft into."
}

variable "region" {
  type        = string
  description = "Region of the functions, the Cloud Scheduler job and the API Gateway (for example us-central1)."
  default     = "us-central1"
}

variable "name_prefix" {
  type        = string
  description = "Prefix of resource names: functions are <prefix>-<function>. Topics keep the names the code uses (aloft-worker-<group>), preceded by \"<prefix>-\" unless the prefix is \"aloft\"; the functions get that as ALOFT_TOPIC_PREFIX."
  default     = "aloft"

  validation {
    # Service account ids are at most 30 characters: <prefix>-pubsub-trigger must fit.
    condition     = can(regex("^[a-z][a-z0-9-]{0,9}$", var.name_prefix)) && !endswith(var.name_prefix, "-")
    error_message = "name_prefix must be 1-10 characters of lowercase letters, digits and dashes, start with a letter and not end with a dash."
  }
}

variable "bucket_location" {
  type        = string
  description = "Location of the internal-storage bucket (a region, a dual-region or a multi-region such as US or EU)."
  default     = "US"
}

variable "firestore_location" {
  type        = string
  description = "Location of the Firestore database (a region such as us-central1 or a multi-region such as nam5). Null uses var.region. The executor's Eventarc trigger lives in this location."
  default     = null
}

variable "firestore_database" {
  type        = string
  description = "Id of the Firestore database Aloft creates and uses. \"(default)\" is the project's default database; pick another id if that one already exists."
  default     = "(default)"
}

variable "functions_source_dir" {
  type        = string
  description = "Folder holding the zips built by `npm run build:functions` (one <function>.zip per function), relative to this directory."
  default     = "../build/functions"
}

variable "function_settings" {
  type = map(object({
    min_instances   = optional(number)
    max_instances   = optional(number)
    memory          = optional(string)
    cpu             = optional(string)
    concurrency     = optional(number)
    timeout_seconds = optional(number)
  }))
  description = "Per-function overrides of the defaults in locals.tf, keyed by function name (api, executor, worker-<group>, scheduler, pubsub-trigger). Example: { \"worker-jdbc\" = { memory = \"2Gi\", max_instances = 20 } }."
  default     = {}
}

variable "execution_retention_days" {
  type        = number
  description = "Days after which execution files (task outputs, uploaded inputs, logs) are deleted from the bucket. Flow state files are kept."
  default     = 30

  validation {
    condition     = var.execution_retention_days >= 1
    error_message = "execution_retention_days must be at least 1."
  }
}

variable "public_webhooks" {
  type        = bool
  description = "Opt-in: expose only the webhook route (/api/v1/executions/webhook/{namespace}/{flowId}/{key}) publicly through an API Gateway. Each call still needs the flow's webhook key. The api function itself stays IAM-only."
  default     = false
}

variable "api_invokers" {
  type        = list(string)
  description = "IAM members allowed to call the api function, for example [\"user:ada@example.com\", \"group:ops@example.com\"]. allUsers and allAuthenticatedUsers are refused."
  default     = []

  validation {
    condition     = alltrue([for m in var.api_invokers : !contains(["allUsers", "allAuthenticatedUsers"], m)])
    error_message = "api_invokers must not contain allUsers or allAuthenticatedUsers: use public_webhooks for the one public route."
  }
}

variable "api_token_secret_id" {
  type        = string
  description = "Optional id of a Secret Manager secret (in this project) holding an extra bearer token the api checks; it reaches the api as ALOFT_API_TOKEN. Null disables it."
  default     = null
}

variable "pubsub_trigger_topics" {
  type        = list(string)
  description = "Extra Pub/Sub topics whose messages start flows with a PubSub trigger: short names in this project or full ids projects/<p>/topics/<t>. Each gets a push subscription to pubsub-trigger."
  default     = []
}

variable "executor_event_type" {
  type        = string
  description = "Firestore event that wakes the executor. \"created\" (the default) fires once per inbox event. \"written\" also fires when the executor marks an event consumed and when the TTL policy deletes it; the executor ignores those, so it costs about two more invocations per event."
  default     = "google.cloud.firestore.document.v1.created"

  validation {
    condition     = contains(["google.cloud.firestore.document.v1.written", "google.cloud.firestore.document.v1.created"], var.executor_event_type)
    error_message = "executor_event_type must be google.cloud.firestore.document.v1.written or google.cloud.firestore.document.v1.created."
  }
}

variable "scheduler_cron" {
  type        = string
  description = "Cron schedule of the Cloud Scheduler job that calls the scheduler function (fires Schedule triggers, re-publishes the outbox, recovers lost attempts)."
  default     = "* * * * *"
}

variable "scheduler_time_zone" {
  type        = string
  description = "Time zone of scheduler_cron."
  default     = "Etc/UTC"
}

variable "max_delivery_attempts" {
  type        = number
  description = "Deliveries of one Pub/Sub message before it goes to its dead-letter topic (5 to 100)."
  default     = 10

  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "max_delivery_attempts must be between 5 and 100 (a Pub/Sub limit)."
  }
}

variable "retry_minimum_backoff" {
  type        = string
  description = "Shortest delay before Pub/Sub redelivers a message a function refused (a duration such as \"10s\")."
  default     = "10s"
}

variable "retry_maximum_backoff" {
  type        = string
  description = "Longest delay before Pub/Sub redelivers a message a function refused (at most \"600s\")."
  default     = "300s"
}

variable "allow_destroy" {
  type        = bool
  description = "When true, `terraform destroy` also deletes the bucket's files and the Firestore database. Keep false in production."
  default     = false
}

variable "labels" {
  type        = map(string)
  description = "Labels added to every resource that takes labels."
  default     = {}
}

variable "worker_gcp_roles" {
  type        = list(string)
  description = "Project roles of the worker-gcp service account, which runs the io.kestra.plugin.gcp.* tasks. The default lets BigQuery tasks run jobs and read/write tables, GCS tasks read/write objects, Pub/Sub tasks publish and pull; see docs/plugins-gcp.md for what needs more. Set [] to grant narrower roles yourself."
  default = [
    "roles/bigquery.jobUser",
    "roles/bigquery.dataEditor",
    "roles/storage.objectUser",
    "roles/pubsub.publisher",
    "roles/pubsub.subscriber",
  ]

  validation {
    condition     = alltrue([for r in var.worker_gcp_roles : startswith(r, "roles/") && !can(regex("^roles/(owner|editor|viewer)$", r))])
    error_message = "worker_gcp_roles takes predefined or custom roles (roles/...), never a basic role."
  }
}
