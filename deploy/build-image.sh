#!/usr/bin/env bash
# Builds the Baton image (default baton:dev) from a locally made Debian base: no image is pulled from any registry.
#   1. the base image (default baton-base:bookworm), when missing: debootstrap --variant=minbase bookworm, docker import
#   2. cli/target/baton.jar, when missing (or BATON_REBUILD=1): ./mvnw -DskipTests -pl cli -am package
#   3. a build context in target/docker-context with a JDK 21+ (BATON_JDK, else JAVA_HOME if it is 21+, else
#      /usr/lib/jvm/temurin-25-jdk-amd64), the jar and deploy/baton-health (the healthcheck probe); then docker build
#      --network host.
# Needs: docker (a running engine), debootstrap and root for step 1 (apt-get install docker.io debootstrap).
# Prints "built-base" on fd 3 when it imported the base image itself (compose-e2e.sh removes it again then).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${BATON_BASE_IMAGE:-baton-base:bookworm}
IMAGE=${BATON_IMAGE:-baton:dev}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
JDK=${BATON_JDK:-}
if [ -z "$JDK" ] && [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME")" -ge 21 ]; then
  JDK=$JAVA_HOME
fi
if [ -z "$JDK" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  JDK=/usr/lib/jvm/temurin-25-jdk-amd64
fi
if [ -z "$JDK" ] || [ ! -x "$JDK/bin/java" ] || [ "$(java_major "$JDK")" -lt 21 ]; then
  echo "build-image: no JDK 21+ found; set BATON_JDK to one (Debian bookworm has none to install)" >&2
  exit 1
fi

if ! docker image inspect "$BASE" >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || { echo "build-image: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
  rootfs=$(mktemp -d /tmp/baton-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs" "$rootfs.log"' EXIT
  echo "build-image: making $BASE with debootstrap (40 s to a few minutes)"
  debootstrap --variant=minbase bookworm "$rootfs/root" "$MIRROR" >"$rootfs.log" 2>&1 \
    || { tail -20 "$rootfs.log" >&2; exit 1; }
  rm -f "$rootfs.log"
  tar -C "$rootfs/root" -c . | docker import - "$BASE" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  { echo built-base >&3; } 2>/dev/null || true
fi

if [ ! -f cli/target/baton.jar ] || [ "${BATON_REBUILD:-0}" = 1 ]; then
  ./mvnw -q -DskipTests -pl cli -am package
fi

ctx=target/docker-context
rm -rf "$ctx"
mkdir -p "$ctx"
cp -a "$JDK" "$ctx/jdk"
rm -rf "$ctx/jdk/lib/src.zip" "$ctx/jdk/jmods"
cp cli/target/baton.jar "$ctx/baton.jar"
cp deploy/baton-health "$ctx/baton-health"
docker build --network host -t "$IMAGE" -f Dockerfile "$ctx"
rm -rf "$ctx"
echo "build-image: $IMAGE built on $BASE with $JDK"
