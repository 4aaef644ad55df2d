locals {
  # The deployed functions. This table mirrors functions/manifest.ts: test/unit/infra fails when the two drift.
  # Keys are the names before the prefix; build/functions/<key>.zip holds each bundle. `topic` is the
  # consumed topic as the code names it (before local.topic_prefix), `document` the Firestore path
  # pattern that wakes the function.
  functions = {
    "api"            = { entry_point = "api", trigger = "http", topic = null, document = null, ingress = "ALLOW_ALL" }
    "executor"       = { entry_point = "executor", trigger = "firestore", topic = null, document = "executions/{executionId}/inbox/{eventId}", ingress = "ALLOW_INTERNAL_ONLY" }
    "worker-core"    = { entry_point = "workerCore", trigger = "pubsub", topic = "aloft-worker-core", document = null, ingress = "ALLOW_INTERNAL_ONLY" }
    "worker-scripts" = { entry_point = "workerScripts", trigger = "pubsub", topic = "aloft-worker-scripts", document = null, ingress = "ALLOW_INTERNAL_ONLY" }
    "worker-jdbc"    = { entry_point = "workerJdbc", trigger = "pubsub", topic = "aloft-worker-jdbc", document = null, ingress = "ALLOW_INTERNAL_ONLY" }
    "worker-kafka"   = { entry_point = "workerKafka", trigger = "pubsub", topic = "aloft-worker-kafka", document = null, ingress = "ALLOW_INTERNAL_ONLY" }
    "worker-singer"  = { entry_point = "workerSinger", trigger = "pubsub", topic = "aloft-worker-singer", document = null, ingress = "ALLOW_INTERNAL_ONLY" }
    "worker-gcp"     = { entry_point = "workerGcp", trigger = "pubsub", topic = "aloft-worker-gcp", document = null, ingress = "ALLOW_INTERNAL_ONLY" }
    "worker-serdes"  = { entry_point = "workerSerdes", trigger = "pubsub", topic = "aloft-worker-serdes", document = null, ingress = "ALLOW_INTERNAL_ONLY" }
    # Cloud Scheduler counts as internal traffic when it runs in the same project.
    "scheduler"      = { entry_point = "scheduler", trigger = "http", topic = null, document = null, ingress = "ALLOW_INTERNAL_ONLY" }
    "pubsub-trigger" = { entry_point = "pubsubTrigger", trigger = "pubsub", topic = "aloft-pubsub-trigger", document = null, ingress = "ALLOW_INTERNAL_ONLY" }
  }

  pubsub_functions = { for name, fn in local.functions : name => fn if fn.trigger == "pubsub" }
  worker_functions = { for name, fn in local.functions : name => fn if startswith(name, "worker-") }

  # The executor consumes no topic, but publishes the Firestore events it cannot read here, with their
  # reason (lib/adapters/gcp/runtime-adapters.ts EXECUTOR_DEAD_LETTER_TOPIC; test/unit/infra holds them equal).
  executor_dead_letter_topic = "aloft-executor-dead-letter"

  # Sizing defaults; var.function_settings overrides any of them per function.
  # Concurrency above 1 needs a whole CPU. Scripts and Singer run child processes, so one request per instance.
  function_defaults = {
    "api"            = { min_instances = 0, max_instances = 20, memory = "512Mi", cpu = "1", concurrency = 80, timeout_seconds = 60 }
    "executor"       = { min_instances = 0, max_instances = 50, memory = "512Mi", cpu = "1", concurrency = 20, timeout_seconds = 120 }
    "worker-core"    = { min_instances = 0, max_instances = 50, memory = "512Mi", cpu = "1", concurrency = 20, timeout_seconds = 540 }
    "worker-scripts" = { min_instances = 0, max_instances = 50, memory = "1Gi", cpu = "1", concurrency = 1, timeout_seconds = 540 }
    "worker-jdbc"    = { min_instances = 0, max_instances = 20, memory = "1Gi", cpu = "1", concurrency = 8, timeout_seconds = 540 }
    "worker-kafka"   = { min_instances = 0, max_instances = 20, memory = "1Gi", cpu = "1", concurrency = 8, timeout_seconds = 540 }
    "worker-singer"  = { min_instances = 0, max_instances = 10, memory = "2Gi", cpu = "1", concurrency = 1, timeout_seconds = 540 }
    "worker-gcp"     = { min_instances = 0, max_instances = 20, memory = "512Mi", cpu = "1", concurrency = 20, timeout_seconds = 540 }
    "worker-serdes"  = { min_instances = 0, max_instances = 20, memory = "1Gi", cpu = "1", concurrency = 4, timeout_seconds = 540 }
    # One sweep at a time: the next minute's call waits for it rather than racing it.
    "scheduler"      = { min_instances = 0, max_instances = 1, memory = "512Mi", cpu = "1", concurrency = 1, timeout_seconds = 300 }
    "pubsub-trigger" = { min_instances = 0, max_instances = 20, memory = "512Mi", cpu = "1", concurrency = 20, timeout_seconds = 60 }
  }

  function_config = {
    for name, defaults in local.function_defaults : name => {
      for key, default in defaults : key => coalesce(try(var.function_settings[name][key], null), default)
    }
  }

  firestore_location = coalesce(var.firestore_location, var.region)

  labels = merge({ "managed-by" = "terraform", "app" = "aloft" }, var.labels)

  # The code names topics aloft-worker-<group> and prepends ALOFT_TOPIC_PREFIX: the default prefix needs none.
  topic_prefix = var.name_prefix == "aloft" ? "" : "${var.name_prefix}-"

  # What the functions read at start (lib/adapters/gcp/config.ts).
  runtime_env = merge(
    {
      GOOGLE_CLOUD_PROJECT     = var.project_id
      ALOFT_FIRESTORE_DATABASE = var.firestore_database
      ALOFT_BUCKET             = google_storage_bucket.data.name
      LOG_EXECUTION_ID         = "true"
      # functions/manifest.ts FUNCTION_NODE_OPTIONS: larger young generation, fewer scavenges per request.
      NODE_OPTIONS = "--max-semi-space-size=32"
    },
    local.topic_prefix == "" ? {} : { ALOFT_TOPIC_PREFIX = local.topic_prefix },
  )

  # Extra topics for pubsub-trigger, as full ids.
  user_topics = {
    for topic in var.pubsub_trigger_topics :
    topic => startswith(topic, "projects/") ? topic : "projects/${var.project_id}/topics/${topic}"
  }
}
