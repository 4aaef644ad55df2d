resource "google_firestore_database" "aloft" {
  project                     = var.project_id
  name                        = var.firestore_database
  location_id                 = local.firestore_location
  type                        = "FIRESTORE_NATIVE"
  concurrency_mode            = "OPTIMISTIC"
  app_engine_integration_mode = "DISABLED"
  delete_protection_state     = var.allow_destroy ? "DELETE_PROTECTION_DISABLED" : "DELETE_PROTECTION_ENABLED"
  # ABANDON leaves the data in place when Terraform forgets the database.
  deletion_policy = var.allow_destroy ? "DELETE" : "ABANDON"

  depends_on = [google_project_service.enabled]
}

# Composite indexes for the queries of lib/adapters/gcp. Single-field indexes (automatic) serve the
# rest, for example the outbox sweep (createdAt < t order by createdAt, __name__) and due wake-ups. The table in
# test/unit/infra/firestore-indexes.ts lists each query and the index that serves it.
locals {
  execution_list_orders = [
    { field_path = "startDate", order = "DESCENDING" },
    # Pages order ties by document id, ascending: the implicit __name__ order would be descending.
    { field_path = "__name__", order = "ASCENDING" },
  ]

  firestore_indexes = {
    # firestore-state-store.ts foldIn(): inbox where consumed == false order by appendedAt.
    "inbox-pending" = {
      collection = "inbox"
      fields     = [{ field_path = "consumed", order = "ASCENDING" }, { field_path = "appendedAt", order = "ASCENDING" }]
    }
    # firestore-cloud-control.ts sweep: every execution's inbox where consumed == false and appendedAt < t.
    "inbox-unfolded" = {
      collection  = "inbox"
      query_scope = "COLLECTION_GROUP"
      fields      = [{ field_path = "consumed", order = "ASCENDING" }, { field_path = "appendedAt", order = "ASCENDING" }]
    }
    # firestore-attempt-ledger.ts stale(): attempts where state == RUNNING and heartbeat < t order by heartbeat.
    "attempts-stale" = {
      collection = "attempts"
      fields     = [{ field_path = "state", order = "ASCENDING" }, { field_path = "heartbeat", order = "ASCENDING" }]
    }
    # firestore-state-store.ts list(): executions filtered by any of namespace, flowId, state (in),
    # a startDate range, newest first.
    "executions-by-start" = { collection = "executions", fields = local.execution_list_orders }
    "executions-namespace" = {
      collection = "executions"
      fields     = concat([{ field_path = "namespace", order = "ASCENDING" }], local.execution_list_orders)
    }
    "executions-flow" = {
      collection = "executions"
      fields     = concat([{ field_path = "flowId", order = "ASCENDING" }], local.execution_list_orders)
    }
    "executions-state" = {
      collection = "executions"
      fields     = concat([{ field_path = "state", order = "ASCENDING" }], local.execution_list_orders)
    }
    "executions-namespace-flow" = {
      collection = "executions"
      fields     = concat([{ field_path = "namespace", order = "ASCENDING" }, { field_path = "flowId", order = "ASCENDING" }], local.execution_list_orders)
    }
    "executions-namespace-state" = {
      collection = "executions"
      fields     = concat([{ field_path = "namespace", order = "ASCENDING" }, { field_path = "state", order = "ASCENDING" }], local.execution_list_orders)
    }
    "executions-flow-state" = {
      collection = "executions"
      fields     = concat([{ field_path = "flowId", order = "ASCENDING" }, { field_path = "state", order = "ASCENDING" }], local.execution_list_orders)
    }
    "executions-namespace-flow-state" = {
      collection = "executions"
      fields = concat([
        { field_path = "namespace", order = "ASCENDING" },
        { field_path = "flowId", order = "ASCENDING" },
        { field_path = "state", order = "ASCENDING" },
      ], local.execution_list_orders)
    }
  }

  # Documents the code stamps with expireAt for Firestore's TTL policy to delete.
  firestore_ttl_collections = {
    inbox        = "consumed events, kept a while as tombstones so a redelivered append stays a no-op"
    leases       = "execution leases a crashed holder left behind"
    attemptStops = "kill requests for running attempts"
  }
}

resource "google_firestore_index" "aloft" {
  for_each = local.firestore_indexes

  project     = var.project_id
  database    = google_firestore_database.aloft.name
  collection  = each.value.collection
  query_scope = try(each.value.query_scope, "COLLECTION")

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path = fields.value.field_path
      order      = fields.value.order
    }
  }
}

resource "google_firestore_field" "ttl" {
  for_each = local.firestore_ttl_collections

  project    = var.project_id
  database   = google_firestore_database.aloft.name
  collection = each.key
  field      = "expireAt"

  ttl_config {}

  # A timestamp that only grows is a write hotspot when indexed, and nothing queries it.
  index_config {}
}
