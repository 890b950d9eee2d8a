#!/usr/bin/env bash
# End to end, as a new user on a fresh machine of this kind: build the image from a locally made base
# (deploy/build-image.sh), `docker-compose up` the 3-broker cluster and every component (host networking only),
# create an admin token with the documented command, register the README's orders_daily through the gateway, run it
# and wait for SUCCEEDED. Cleans up whatever it made: containers, volumes, the images it built, the dockerd it started.
# Slow (the base image alone takes 40 s to 3 min): part of the chaos profile, ./mvnw -Pchaos -pl cli -am verify.
# Needs root, docker.io, docker-compose, debootstrap, curl and python3 (apt-get install docker.io docker-compose debootstrap).
set -euo pipefail
cd "$(dirname "$0")/.."
PROJECT=baton-e2e
IMAGE=baton:dev
BASE=baton-base:bookworm
GATEWAY=http://127.0.0.1:8080
TIMEOUT_S=${BATON_E2E_TIMEOUT_S:-900}
work=$(mktemp -d /tmp/baton-compose-e2e.XXXXXX)
dockerd_pid=""
built_base=0
had_image=0

log() { echo "compose-e2e: $*" >&2; }

cleanup() {
  local rc=$?
  set +e
  if docker info >/dev/null 2>&1; then
    if [ "$rc" != 0 ]; then
      docker-compose -p "$PROJECT" logs --no-color --tail=40 > "$work/compose.log" 2>&1
      log "failed; last lines of every service:"; tail -200 "$work/compose.log" >&2
    fi
    docker-compose -p "$PROJECT" down -v --remove-orphans >/dev/null 2>&1
    [ "$had_image" = 0 ] && docker rmi -f "$IMAGE" >/dev/null 2>&1
    [ "$built_base" = 1 ] && docker rmi -f "$BASE" >/dev/null 2>&1
  fi
  if [ -n "$dockerd_pid" ]; then
    kill "$dockerd_pid" 2>/dev/null
    for _ in $(seq 1 60); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

until_ok() { # until_ok SECONDS WHAT COMMAND...: retries COMMAND once a second
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { log "timed out waiting for $what"; return 1; }
    sleep 1
  done
}

for port in 8080 8081 9092 9093 9094 19092 19093 19094 9401 9402 9403 9405; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then log "port $port is taken: the layout uses host networking"; exit 1; fi
done

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  dockerd >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  until_ok 60 dockerd docker info
fi
docker image inspect "$IMAGE" >/dev/null 2>&1 && had_image=1

log "building $IMAGE"
deploy/build-image.sh 3>"$work/build-image.out"
grep -q built-base "$work/build-image.out" && built_base=1

log "docker-compose up"
docker-compose -p "$PROJECT" up -d
start=$SECONDS
until_ok "$TIMEOUT_S" "the gateway" curl -sf "$GATEWAY/health"
log "gateway healthy after $((SECONDS - start)) s"

# The documented command (docs/operations.md, "The first admin token in the container layout"). Not
# `docker-compose run`: Debian's docker-compose 1.29 adds links to the depends_on services even with --no-deps, which
# Docker refuses with host networking ("host type networking can't be used with links").
log "creating an admin token"
docker-compose -p "$PROJECT" exec -T gateway java -jar /opt/baton/baton.jar tokens create --tokens-file /var/lib/baton/tokens \
  --role admin --name admin > "$work/token.out" 2>&1 || { log "tokens create failed:"; cat "$work/token.out" >&2; exit 1; }
token=$(grep -o 'baton_[A-Za-z0-9_-]*' "$work/token.out" | head -1 || true)
[ -n "$token" ] || { log "no token printed:"; cat "$work/token.out" >&2; exit 1; }
auth=(-H "Authorization: Bearer $token")
until_ok 180 "the gateway to read the new token" curl -sf "${auth[@]}" "$GATEWAY/api/v1/jobs"

# Every Baton topic has three replicas and min.insync.replicas 2 (`baton topics --describe`, the image's own CLI).
log "checking topic replication"
docker-compose -p "$PROJECT" exec -T kafka-1 java -jar /opt/baton/baton.jar topics --describe \
  --bootstrap-servers 127.0.0.1:9092 > "$work/topics.txt" 2>"$work/topics.err" \
  || { log "topics --describe failed:"; tail -20 "$work/topics.err" >&2; exit 1; }
grep -q '^baton.run-events ' "$work/topics.txt" || { log "no baton.run-events topic"; cat "$work/topics.txt" >&2; exit 1; }
if grep '^baton\.' "$work/topics.txt" | grep -v 'replication=3 min.insync.replicas=2'; then
  log "the topics above are not replicated 3 times with min.insync.replicas 2"; exit 1
fi
log "$(grep -c '^baton\.' "$work/topics.txt") topics, each with replication 3 and min.insync.replicas 2"

log "registering examples/orders_daily.yaml"
code=$(curl -s -o "$work/reg.json" -w '%{http_code}' "${auth[@]}" -H 'Content-Type: application/yaml' \
  --data-binary @examples/orders_daily.yaml "$GATEWAY/api/v1/jobs")
[ "$code" = 201 ] || [ "$code" = 200 ] || { log "registration answered $code: $(cat "$work/reg.json")"; exit 1; }

# A gateway answers 503 until its read model shows the job it just registered (the API says: retry shortly).
deadline=$((SECONDS + 120))
while :; do
  code=$(curl -s -o "$work/run.json" -w '%{http_code}' "${auth[@]}" -H 'Content-Type: application/json' \
    -d '{"params": {"day": "2026-11-21"}}' "$GATEWAY/api/v1/jobs/orders_daily/runs" || true)
  [ "$code" = 202 ] && break
  if [ "$code" != 503 ] || [ "$SECONDS" -ge "$deadline" ]; then
    log "triggering orders_daily answered $code: $(cat "$work/run.json" 2>/dev/null)"; exit 1
  fi
  sleep 1
done
run_id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["runId"])' < "$work/run.json")
log "run $run_id requested"
status=""
deadline=$((SECONDS + 300))
while [ "$SECONDS" -lt "$deadline" ]; do
  status=$(curl -sf "${auth[@]}" "$GATEWAY/api/v1/runs/$run_id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' || true)
  case "$status" in SUCCEEDED|FAILED|CANCELED) break ;; esac
  sleep 1
done
log "run $run_id: $status"
[ "$status" = SUCCEEDED ]
echo "{\"scenario\":\"compose-e2e\",\"run\":\"$run_id\",\"status\":\"$status\",\"up_to_healthy_s\":$((SECONDS - start))}"
