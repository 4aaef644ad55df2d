#!/usr/bin/env bash
# Deploys Aloft to a Google Cloud project with gcloud only: the same resources as infra/ (Terraform),
# for users who do not run Terraform. Safe to run again: it creates what is missing and updates the rest.
#
#   npm run deploy:gcloud -- --project my-project [--region us-central1] [--prefix aloft]
#       [--bucket-location US] [--firestore-location nam5] [--database '(default)'] [--retention-days 30]
#       [--pubsub-topic orders ...] [--api-invoker user:ada@example.com ...] [--api-token-secret ID] [--public-webhooks]
#       [--executor-event written|created]
#       [--skip-build] [--dry-run]
#   npm run deploy:gcloud -- --project my-project --destroy [--delete-data]
#
# --dry-run prints every gcloud command instead of running it (test/unit/infra checks that output).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT="${CLOUDSDK_CORE_PROJECT:-}"
REGION="us-central1"
PREFIX="aloft"
BUCKET_LOCATION="US"
FIRESTORE_LOCATION=""
DATABASE="(default)"
RETENTION_DAYS=30
MAX_DELIVERY_ATTEMPTS=10
SCHEDULE="* * * * *"
EXECUTOR_EVENT=created
USER_TOPICS=()
API_INVOKERS=()
API_TOKEN_SECRET=""
PUBLIC_WEBHOOKS=false
SKIP_BUILD=false
DRY_RUN=false
DESTROY=false
DELETE_DATA=false

die() { echo "deploy-gcloud: $*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-0}"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --project) PROJECT="$2"; shift 2 ;;
    --region) REGION="$2"; shift 2 ;;
    --prefix) PREFIX="$2"; shift 2 ;;
    --bucket-location) BUCKET_LOCATION="$2"; shift 2 ;;
    --firestore-location) FIRESTORE_LOCATION="$2"; shift 2 ;;
    --database) DATABASE="$2"; shift 2 ;;
    --retention-days) RETENTION_DAYS="$2"; shift 2 ;;
    --pubsub-topic) USER_TOPICS+=("$2"); shift 2 ;;
    --api-invoker) API_INVOKERS+=("$2"); shift 2 ;;
    --api-token-secret) API_TOKEN_SECRET="$2"; shift 2 ;;
    --public-webhooks) PUBLIC_WEBHOOKS=true; shift ;;
    --executor-event) EXECUTOR_EVENT="$2"; shift 2 ;;
    --skip-build) SKIP_BUILD=true; shift ;;
    --dry-run) DRY_RUN=true; shift ;;
    --destroy) DESTROY=true; shift ;;
    --delete-data) DELETE_DATA=true; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
done

[[ -n "$PROJECT" ]] || die "--project is required (or set CLOUDSDK_CORE_PROJECT)"
[[ "$PREFIX" =~ ^[a-z][a-z0-9-]{0,9}$ && "$PREFIX" != *- ]] || die "--prefix must be 1-10 lowercase letters, digits or dashes, starting with a letter"
FIRESTORE_LOCATION="${FIRESTORE_LOCATION:-$REGION}"
[[ "$EXECUTOR_EVENT" == written || "$EXECUTOR_EVENT" == created ]] || die "--executor-event must be written or created"
for m in "${API_INVOKERS[@]}"; do [[ "$m" != allUsers && "$m" != allAuthenticatedUsers ]] || die "--api-invoker $m: the api is never public; use --public-webhooks"; done
# The code names topics aloft-worker-<group> and prepends ALOFT_TOPIC_PREFIX (see infra/locals.tf).
TOPIC_PREFIX=""; [[ "$PREFIX" == aloft ]] || TOPIC_PREFIX="$PREFIX-"
DATA_BUCKET="$PROJECT-$PREFIX-data"
# Where the executor dead-letters the Firestore events it cannot read (lib/adapters/gcp/runtime-adapters.ts; test/unit/infra holds them equal).
EXECUTOR_DLT="${TOPIC_PREFIX}aloft-executor-dead-letter"

# Sizing per function, as in infra/locals.tf: memory cpu concurrency timeout min max.
declare -A SIZE=(
  [api]="512Mi 1 80 60 0 20"                [executor]="512Mi 1 20 120 0 50"
  [worker-core]="512Mi 1 20 540 0 50"       [worker-scripts]="1Gi 1 1 540 0 50"
  [worker-jdbc]="1Gi 1 8 540 0 20"          [worker-kafka]="1Gi 1 8 540 0 20"
  [worker-singer]="2Gi 1 1 540 0 10"        [worker-gcp]="512Mi 1 20 540 0 20"
  [worker-serdes]="1Gi 1 4 540 0 20"        [scheduler]="512Mi 1 1 300 0 1"
  [pubsub-trigger]="512Mi 1 20 60 0 20"
)

run() {
  if $DRY_RUN; then printf '+'; printf ' %q' "$@"; printf '\n'; else "$@"; fi
}
# Runs the create command only when the describe command fails (the resource is missing).
ensure() {
  local describe="$1"; shift
  if ! $DRY_RUN && eval "$describe" >/dev/null 2>&1; then return 0; fi
  run "$@"
}
quiet() { if $DRY_RUN; then run "$@"; else "$@" >/dev/null 2>&1 || true; fi; }

GC=(gcloud --project="$PROJECT" --quiet)
full_topic() { if [[ "$1" == projects/* ]]; then echo "$1"; else echo "projects/$PROJECT/topics/$1"; fi; }
# Named like infra/pubsub.tf: a hash of the full topic id keeps the name short and unique.
user_subscription() { echo "${TOPIC_PREFIX}aloft-pubsub-trigger-$(printf '%s' "$(full_topic "$1")" | sha1sum | cut -c1-12)"; }
sa() { echo "$PREFIX-$1@$PROJECT.iam.gserviceaccount.com"; }
fn_uri() {
  if $DRY_RUN; then echo "https://$PREFIX-$1-uri.a.run.app"; return; fi
  "${GC[@]}" functions describe "$PREFIX-$1" --gen2 --region="$REGION" --format='value(serviceConfig.uri)'
}

# name entryPoint trigger topic document, from functions/manifest.ts.
mapfile -t MANIFEST < <(node "$ROOT/scripts/build-functions.mjs" --list)
[[ ${#MANIFEST[@]} -gt 0 ]] || die "could not read functions/manifest.ts"

if $DESTROY; then
  for line in "${MANIFEST[@]}"; do
    IFS=$'\t' read -r name _entry trigger topic _doc <<<"$line"
    if [[ "$trigger" == pubsub ]]; then
      quiet "${GC[@]}" pubsub subscriptions delete "$TOPIC_PREFIX$topic-push"
      quiet "${GC[@]}" pubsub subscriptions delete "$TOPIC_PREFIX$topic-dead-letter"
      quiet "${GC[@]}" pubsub topics delete "$TOPIC_PREFIX$topic" "$TOPIC_PREFIX$topic-dead-letter"
    fi
    quiet "${GC[@]}" functions delete "$PREFIX-$name" --gen2 --region="$REGION"
    quiet "${GC[@]}" iam service-accounts delete "$(sa "$name")"
  done
  for t in "${USER_TOPICS[@]}"; do quiet "${GC[@]}" pubsub subscriptions delete "$(user_subscription "$t")"; done
  quiet "${GC[@]}" pubsub subscriptions delete "$EXECUTOR_DLT"
  quiet "${GC[@]}" pubsub topics delete "$EXECUTOR_DLT"
  quiet "${GC[@]}" eventarc triggers delete "$PREFIX-executor" --location="$FIRESTORE_LOCATION"
  quiet "${GC[@]}" scheduler jobs delete "$PREFIX-scheduler" --location="$REGION"
  quiet "${GC[@]}" api-gateway gateways delete "$PREFIX-webhook" --location="$REGION"
  quiet "${GC[@]}" api-gateway apis delete "$PREFIX-webhook"
  for a in push eventarc cron build webhook; do quiet "${GC[@]}" iam service-accounts delete "$(sa "$a")"; done
  if $DELETE_DATA; then
    quiet "${GC[@]}" storage rm --recursive "gs://$DATA_BUCKET"
    quiet "${GC[@]}" firestore databases delete --database="$DATABASE"
  else
    echo "kept gs://$DATA_BUCKET and Firestore database $DATABASE (pass --delete-data to delete them)" >&2
  fi
  exit 0
fi

if ! $SKIP_BUILD; then
  if $DRY_RUN; then run npm run build:functions; else (cd "$ROOT" && node scripts/build-functions.mjs); fi
fi

# --- APIs -------------------------------------------------------------------------------------------
APIS=(artifactregistry cloudbuild cloudfunctions cloudscheduler eventarc firestore iam logging pubsub run secretmanager storage)
$PUBLIC_WEBHOOKS && APIS+=(apigateway servicecontrol servicemanagement)
run "${GC[@]}" services enable "${APIS[@]/%/.googleapis.com}"
PROJECT_NUMBER=$($DRY_RUN && echo 123456789 || "${GC[@]}" projects describe "$PROJECT" --format='value(projectNumber)')
PUBSUB_AGENT="service-$PROJECT_NUMBER@gcp-sa-pubsub.iam.gserviceaccount.com"
quiet "${GC[@]}" beta services identity create --service=pubsub.googleapis.com

# --- storage and Firestore ----------------------------------------------------------------------------
LIFECYCLE=$(mktemp); trap 'rm -f "$LIFECYCLE"' EXIT
cat >"$LIFECYCLE" <<EOF
{"rule": [
  {"action": {"type": "Delete"}, "condition": {"daysSinceCustomTime": $RETENTION_DAYS}},
  {"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": 1}}
]}
EOF
ensure "${GC[*]} storage buckets describe gs://$DATA_BUCKET" \
  "${GC[@]}" storage buckets create "gs://$DATA_BUCKET" --location="$BUCKET_LOCATION" --uniform-bucket-level-access --public-access-prevention
run "${GC[@]}" storage buckets update "gs://$DATA_BUCKET" --lifecycle-file="$LIFECYCLE"

ensure "${GC[*]} firestore databases describe --database='$DATABASE'" \
  "${GC[@]}" firestore databases create --database="$DATABASE" --location="$FIRESTORE_LOCATION" --type=firestore-native --delete-protection
# Composite indexes, as in infra/firestore.tf: query scope, collection, then field=order pairs.
INDEXES=(
  "collection inbox consumed=ascending appendedAt=ascending"
  "collection-group inbox consumed=ascending appendedAt=ascending"
  "collection attempts state=ascending heartbeat=ascending"
  "collection executions startDate=descending __name__=ascending"
)
for eq in namespace flowId state "namespace flowId" "namespace state" "flowId state" "namespace flowId state"; do
  fields=""; for f in $eq; do fields+="$f=ascending "; done
  INDEXES+=("collection executions ${fields}startDate=descending __name__=ascending")
done
for idx in "${INDEXES[@]}"; do
  read -r scope collection pairs <<<"$idx"
  configs=(); for p in $pairs; do configs+=("--field-config=field-path=${p%%=*},order=${p##*=}"); done
  # An index that already exists is an error we can ignore.
  if $DRY_RUN; then run "${GC[@]}" firestore indexes composite create --database="$DATABASE" --collection-group="$collection" --query-scope="$scope" "${configs[@]}"
  else "${GC[@]}" firestore indexes composite create --database="$DATABASE" --collection-group="$collection" --query-scope="$scope" "${configs[@]}" --async 2>&1 | grep -v -i 'already exists' >&2 || true; fi
done
for ttl in inbox leases attemptStops; do
  run "${GC[@]}" firestore fields ttls update expireAt --database="$DATABASE" --collection-group="$ttl" --enable-ttl --async
done

# --- service accounts and project roles --------------------------------------------------------------
for line in "${MANIFEST[@]}" "push" "eventarc" "cron" "build"; do
  name="${line%%$'\t'*}"
  ensure "${GC[*]} iam service-accounts describe $(sa "$name")" \
    "${GC[@]}" iam service-accounts create "$PREFIX-$name" --display-name="Aloft $name"
done
grant_project() { run "${GC[@]}" projects add-iam-policy-binding "$PROJECT" --member="serviceAccount:$1" --role="$2" --condition=None; }
for role in roles/logging.logWriter roles/artifactregistry.writer roles/storage.objectAdmin; do grant_project "$(sa build)" "$role"; done
grant_project "$(sa eventarc)" roles/eventarc.eventReceiver
for line in "${MANIFEST[@]}"; do
  IFS=$'\t' read -r name _entry _trigger _topic _doc <<<"$line"
  grant_project "$(sa "$name")" roles/datastore.user
  [[ "$name" == worker-* ]] && grant_project "$(sa "$name")" roles/secretmanager.secretAccessor
  run "${GC[@]}" storage buckets add-iam-policy-binding "gs://$DATA_BUCKET" --member="serviceAccount:$(sa "$name")" --role=roles/storage.objectUser
done
[[ -z "$API_TOKEN_SECRET" ]] || run "${GC[@]}" secrets add-iam-policy-binding "$API_TOKEN_SECRET" --member="serviceAccount:$(sa api)" --role=roles/secretmanager.secretAccessor
for a in push eventarc; do
  run "${GC[@]}" iam service-accounts add-iam-policy-binding "$(sa "$a")" --member="serviceAccount:$PUBSUB_AGENT" --role=roles/iam.serviceAccountTokenCreator
done

# --- topics ---------------------------------------------------------------------------------------------
for line in "${MANIFEST[@]}"; do
  IFS=$'\t' read -r name _entry trigger topic _doc <<<"$line"
  [[ "$trigger" == pubsub ]] || continue
  for t in "$TOPIC_PREFIX$topic" "$TOPIC_PREFIX$topic-dead-letter"; do
    ensure "${GC[*]} pubsub topics describe $t" "${GC[@]}" pubsub topics create "$t"
  done
  ensure "${GC[*]} pubsub subscriptions describe $TOPIC_PREFIX$topic-dead-letter" \
    "${GC[@]}" pubsub subscriptions create "$TOPIC_PREFIX$topic-dead-letter" --topic="$TOPIC_PREFIX$topic-dead-letter" --message-retention-duration=7d --expiration-period=never
  run "${GC[@]}" pubsub topics add-iam-policy-binding "$TOPIC_PREFIX$topic-dead-letter" --member="serviceAccount:$PUBSUB_AGENT" --role=roles/pubsub.publisher
  run "${GC[@]}" pubsub topics add-iam-policy-binding "$TOPIC_PREFIX$topic-dead-letter" --member="serviceAccount:$(sa "$name")" --role=roles/pubsub.publisher
  if [[ "$name" == worker-* ]]; then
    for publisher in executor scheduler "$name"; do
      run "${GC[@]}" pubsub topics add-iam-policy-binding "$TOPIC_PREFIX$topic" --member="serviceAccount:$(sa "$publisher")" --role=roles/pubsub.publisher
    done
  fi
done

# The executor consumes no topic; it publishes the events it cannot read to its own dead-letter topic.
ensure "${GC[*]} pubsub topics describe $EXECUTOR_DLT" "${GC[@]}" pubsub topics create "$EXECUTOR_DLT"
ensure "${GC[*]} pubsub subscriptions describe $EXECUTOR_DLT" \
  "${GC[@]}" pubsub subscriptions create "$EXECUTOR_DLT" --topic="$EXECUTOR_DLT" --message-retention-duration=7d --expiration-period=never
run "${GC[@]}" pubsub topics add-iam-policy-binding "$EXECUTOR_DLT" --member="serviceAccount:$(sa executor)" --role=roles/pubsub.publisher

# --- functions ------------------------------------------------------------------------------------------
# NODE_OPTIONS as functions/manifest.ts FUNCTION_NODE_OPTIONS (a larger young generation: fewer scavenges per request).
ENV_VARS="GOOGLE_CLOUD_PROJECT=$PROJECT,ALOFT_FIRESTORE_DATABASE=$DATABASE,ALOFT_BUCKET=$DATA_BUCKET,LOG_EXECUTION_ID=true,NODE_OPTIONS=--max-semi-space-size=32"
[[ -z "$TOPIC_PREFIX" ]] || ENV_VARS+=",ALOFT_TOPIC_PREFIX=$TOPIC_PREFIX"
for line in "${MANIFEST[@]}"; do
  IFS=$'\t' read -r name entry trigger _topic _doc <<<"$line"
  [[ -d "$ROOT/build/functions/$name" || $DRY_RUN == true ]] || die "build/functions/$name is missing: run npm run build:functions"
  read -r memory cpu concurrency timeout min max <<<"${SIZE[$name]:?no sizing for $name in deploy-gcloud.sh}"
  ingress=internal-only; extra=()
  if [[ "$name" == api ]]; then
    ingress=all
    [[ -z "$API_TOKEN_SECRET" ]] || extra=(--set-secrets="ALOFT_API_TOKEN=$API_TOKEN_SECRET:latest")
  fi
  # Every function is an authenticated HTTP service; its trigger (Eventarc, push, Scheduler) calls it with OIDC.
  run "${GC[@]}" functions deploy "$PREFIX-$name" --gen2 --runtime=nodejs22 --region="$REGION" \
    --source="$ROOT/build/functions/$name" --entry-point="$entry" --trigger-http --no-allow-unauthenticated \
    --ingress-settings="$ingress" --service-account="$(sa "$name")" \
    --build-service-account="projects/$PROJECT/serviceAccounts/$(sa build)" \
    --memory="$memory" --cpu="$cpu" --concurrency="$concurrency" --timeout="${timeout}s" \
    --min-instances="$min" --max-instances="$max" --set-env-vars="$ENV_VARS,ALOFT_FUNCTION_TIMEOUT_MS=$((timeout * 1000))" "${extra[@]}"
done
invoker() { run "${GC[@]}" functions add-invoker-policy-binding "$PREFIX-$1" --region="$REGION" --member="$2"; }
for m in "${API_INVOKERS[@]}"; do invoker api "$m"; done

# --- triggers ---------------------------------------------------------------------------------------------
push_subscription() { # name topic function path dead-letter-topic
  local uri; uri=$(fn_uri "$3")
  local flags=(--push-endpoint="$uri/$4" --push-auth-service-account="$(sa push)" --push-auth-token-audience="$uri"
    --ack-deadline=600 --min-retry-delay=10s --max-retry-delay=300s --message-retention-duration=7d
    --dead-letter-topic="projects/$PROJECT/topics/$5" --max-delivery-attempts="$MAX_DELIVERY_ATTEMPTS")
  if ! $DRY_RUN && "${GC[@]}" pubsub subscriptions describe "$1" >/dev/null 2>&1; then
    run "${GC[@]}" pubsub subscriptions update "$1" "${flags[@]}"
  else
    run "${GC[@]}" pubsub subscriptions create "$1" --topic="$2" --expiration-period=never "${flags[@]}"
  fi
  run "${GC[@]}" pubsub subscriptions add-iam-policy-binding "$1" --member="serviceAccount:$PUBSUB_AGENT" --role=roles/pubsub.subscriber
}
for line in "${MANIFEST[@]}"; do
  IFS=$'\t' read -r name _entry trigger topic document <<<"$line"
  case "$trigger" in
    pubsub)
      invoker "$name" "serviceAccount:$(sa push)"
      push_subscription "$TOPIC_PREFIX$topic-push" "$TOPIC_PREFIX$topic" "$name" "projects/$PROJECT/topics/$TOPIC_PREFIX$topic" "$TOPIC_PREFIX$topic-dead-letter" ;;
    firestore)
      invoker "$name" "serviceAccount:$(sa eventarc)"
      ensure "${GC[*]} eventarc triggers describe $PREFIX-$name --location=$FIRESTORE_LOCATION" \
        "${GC[@]}" eventarc triggers create "$PREFIX-$name" --location="$FIRESTORE_LOCATION" \
        --destination-run-service="$PREFIX-$name" --destination-run-region="$REGION" \
        --event-filters="type=google.cloud.firestore.document.v1.$EXECUTOR_EVENT" --event-filters="database=$DATABASE" \
        --event-filters-path-pattern="document=$document" --event-data-content-type=application/protobuf \
        --service-account="$(sa eventarc)" ;;
  esac
done
PUBSUB_TRIGGER_DLT="$(printf '%s\n' "${MANIFEST[@]}" | awk -F'\t' '$1 == "pubsub-trigger" { print $4 }')-dead-letter"
for t in "${USER_TOPICS[@]}"; do
  push_subscription "$(user_subscription "$t")" "$(full_topic "$t")" pubsub-trigger "$(full_topic "$t")" "$TOPIC_PREFIX$PUBSUB_TRIGGER_DLT"
done

SCHEDULER_URI=$(fn_uri scheduler)
invoker scheduler "serviceAccount:$(sa cron)"
ensure "${GC[*]} scheduler jobs describe $PREFIX-scheduler --location=$REGION" \
  "${GC[@]}" scheduler jobs create http "$PREFIX-scheduler" --location="$REGION" --schedule="$SCHEDULE" --time-zone=Etc/UTC \
  --uri="$SCHEDULER_URI" --http-method=POST --headers=Content-Type=application/json --message-body='{}' \
  --oidc-service-account-email="$(sa cron)" --oidc-token-audience="$SCHEDULER_URI" --attempt-deadline=320s --max-retry-attempts=0

# --- opt-in public webhooks ---------------------------------------------------------------------------------
if $PUBLIC_WEBHOOKS; then
  ensure "${GC[*]} iam service-accounts describe $(sa webhook)" \
    "${GC[@]}" iam service-accounts create "$PREFIX-webhook" --display-name="Aloft public webhook gateway"
  invoker api "serviceAccount:$(sa webhook)"
  SPEC=$(mktemp --suffix=.yaml); trap 'rm -f "$LIFECYCLE" "$SPEC"' EXIT
  API_URI=$(fn_uri api)
  sed -e "s|\${title}|$PREFIX webhooks|" -e "s|\${backend}|$API_URI|g" "$ROOT/infra/webhook-openapi.yaml.tftpl" >"$SPEC"
  CONFIG_ID="$PREFIX-webhook-$(sha1sum "$SPEC" | cut -c1-8)"
  ensure "${GC[*]} api-gateway apis describe $PREFIX-webhook" "${GC[@]}" api-gateway apis create "$PREFIX-webhook"
  ensure "${GC[*]} api-gateway api-configs describe $CONFIG_ID --api=$PREFIX-webhook" \
    "${GC[@]}" api-gateway api-configs create "$CONFIG_ID" --api="$PREFIX-webhook" --openapi-spec="$SPEC" --backend-auth-service-account="$(sa webhook)"
  if ! $DRY_RUN && "${GC[@]}" api-gateway gateways describe "$PREFIX-webhook" --location="$REGION" >/dev/null 2>&1; then
    run "${GC[@]}" api-gateway gateways update "$PREFIX-webhook" --location="$REGION" --api="$PREFIX-webhook" --api-config="$CONFIG_ID"
  else
    run "${GC[@]}" api-gateway gateways create "$PREFIX-webhook" --location="$REGION" --api="$PREFIX-webhook" --api-config="$CONFIG_ID"
  fi
fi

echo "deployed: api at $(fn_uri api)" >&2
