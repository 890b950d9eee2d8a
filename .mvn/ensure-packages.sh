#!/bin/sh
# Makes sure OS commands the build needs exist: each argument is COMMAND:DEBIAN_PACKAGE.
# Missing ones are installed with apt-get when running as root; otherwise the build fails naming what to install.
# Used by ui-tests (chromium, chromium-driver) so the browser tests never skip silently.
set -eu
missing=""
for spec in "$@"; do
  cmd=${spec%%:*}
  pkg=${spec#*:}
  command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing missing packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
  exit 0
fi
echo "ERROR: the web UI tests need these packages, which are missing:$missing" >&2
echo "       install them (Debian/Ubuntu: sudo apt-get install$missing) or skip the tests with -DskipTests" >&2
exit 1
