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
    [ -n "$dockerd_pid" ] && docker builder prune -af >/dev/null 2>&1  # the build cache of an engine we started
  fi
  if [ -n "$dockerd_pid" ]; then
    kill "$dockerd_pid" 2>/dev/null
    for _ in $(seq 1 60); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM  # Ctrl-C or a killed Maven build still cleans up (through the EXIT trap)

until_ok() { # until_ok SECONDS WHAT COMMAND...: retries COMMAND once a second
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { log "timed out waiting for $what"; return 1; }
    sleep 1
  done
}

for port in 8080 8081 9092 9093 9094 19092 19093 19094 9401 9402 9403 9404 9405 9406 9407 9408; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then log "port $port is taken: the layout uses host networking"; exit 1; fi
done

if ! docker info >/dev/null 2>&1; then
  # No bridge network and no iptables rules: every container uses the host's network (docker-compose.yml, and
  # `docker build --network host`), so the engine needs neither docker0 nor NAT.
  log "starting dockerd (--bridge=none --iptables=false)"
  dockerd --bridge=none --iptables=false --ip6tables=false >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  until_ok 60 dockerd docker info
fi
docker image inspect "$IMAGE" >/dev/null 2>&1 && had_image=1

log "building $IMAGE"
t0=$SECONDS
deploy/build-image.sh 3>"$work/build-image.out"
grep -q built-base "$work/build-image.out" && built_base=1
build_s=$((SECONDS - t0))
log "image built in $build_s s"

# `up -d` starts the brokers, then the registry once all three are healthy, then every component once the registry
# is (healthchecks and depends_on in docker-compose.yml); it returns when the last container is started.
log "docker-compose up -d"
start=$SECONDS
timeout "$TIMEOUT_S" docker-compose -p "$PROJECT" up -d \
  || { log "docker-compose up failed or took more than $TIMEOUT_S s"; exit 1; }
log "every container started after $((SECONDS - start)) s"
all_healthy() {
  local ids id state n=0
  ids=$(docker-compose -p "$PROJECT" ps -q) || return 1
  for id in $ids; do
    state=$(docker inspect --format '{{.State.Health.Status}}' "$id") || return 1
    [ "$state" = healthy ] || return 1
    n=$((n + 1))
  done
  [ "$n" = 9 ]
}
until_ok $((TIMEOUT_S - (SECONDS - start))) "every service to be healthy" all_healthy
healthy_s=$((SECONDS - start))
log "all 9 services healthy after $healthy_s s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
curl -sf "$GATEWAY/health" >/dev/null || { log "the gateway's /health is not 200"; exit 1; }

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
run_start=$SECONDS
status=""
deadline=$((SECONDS + 300))
while [ "$SECONDS" -lt "$deadline" ]; do
  status=$(curl -sf "${auth[@]}" "$GATEWAY/api/v1/runs/$run_id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' || true)
  case "$status" in SUCCEEDED|FAILED|CANCELED) break ;; esac
  sleep 1
done
log "run $run_id: $status after $((SECONDS - run_start)) s"
[ "$status" = SUCCEEDED ]
echo "{\"scenario\":\"compose-e2e\",\"run\":\"$run_id\",\"status\":\"$status\",\"image_build_s\":$build_s,\"up_to_healthy_s\":$healthy_s,\"up_to_succeeded_s\":$((SECONDS - start)),\"loadavg\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
