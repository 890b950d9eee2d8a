# Sourced by ./mvnw and ./baton: make JAVA_HOME point at a JDK >= 21.
# Keeps a JAVA_HOME that is already new enough; otherwise looks at `java` on the PATH,
# then under /usr/lib/jvm and /opt (newest first). Fails with a clear message when none is found.
# Sets BATON_JAVA_MAJOR to the chosen JDK's feature version (21, 25, ...).
baton_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
baton_find_jdk() {
  if [ -n "${JAVA_HOME-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    v=$(baton_java_major "$JAVA_HOME")
    if [ "${v:-0}" -ge 21 ]; then BATON_JAVA_MAJOR=$v; return 0; fi
  fi
  if command -v javac >/dev/null 2>&1; then
    home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    v=$(baton_java_major "$home")
    if [ "${v:-0}" -ge 21 ]; then JAVA_HOME=$home; export JAVA_HOME; BATON_JAVA_MAJOR=$v; return 0; fi
  fi
  best=""; bestv=0
  case $- in *f*) noglob=1; set +f ;; *) noglob=0 ;; esac
  for home in /usr/lib/jvm/* /opt/*jdk* /opt/java/*; do
    [ -x "$home/bin/javac" ] || continue
    v=$(baton_java_major "$home")
    if [ "${v:-0}" -ge 21 ] && [ "$v" -gt "$bestv" ]; then best=$home; bestv=$v; fi
  done
  [ "$noglob" = 1 ] && set -f
  if [ -n "$best" ]; then JAVA_HOME=$best; export JAVA_HOME; BATON_JAVA_MAJOR=$bestv; return 0; fi
  echo "Baton needs a JDK 21 or newer and found none (checked JAVA_HOME, PATH, /usr/lib/jvm, /opt)." >&2
  echo "Install one (for example Temurin 21 or 25) or set JAVA_HOME to it." >&2
  return 1
}
baton_find_jdk || exit 1
