#!/bin/sh
# Makes sure OS commands the build needs exist: each argument is COMMAND:DEBIAN_PACKAGE.
# Missing ones are installed with apt-get when running as root; otherwise the build fails naming what to install.
# Used by ui-tests (chromium, chromium-driver) and ops-tests (prometheus, promtool) so those tests never skip silently.
# Packages that ship a system service (Debian's prometheus) are installed without starting it: the tests start
# their own process on loopback with a temporary storage directory.
set -eu
missing=""
for spec in "$@"; do
  cmd=${spec%%:*}
  pkg=${spec#*:}
  command -v "$cmd" >/dev/null 2>&1 || case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing missing packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  # Deny service starts during the install (policy-rc.d, exit 101), unless the machine already has a policy.
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy"
  fi
  status=0
  apt-get update -q >/dev/null || status=$?
  # shellcheck disable=SC2086
  [ "$status" = 0 ] && { apt-get install -y -q --no-install-recommends $missing || status=$?; }
  [ -n "$policy" ] && rm -f "$policy"
  exit "$status"
fi
echo "ERROR: these tests need packages which are missing:$missing" >&2
echo "       install them (Debian/Ubuntu: sudo apt-get install$missing) or skip the tests with -DskipTests" >&2
exit 1
