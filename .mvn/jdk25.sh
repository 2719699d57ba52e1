# Sourced (POSIX sh) by ./mvnw and ./jtcp: point JAVA_HOME at a JDK 25 or newer.
# Order: $JAVA_HOME if it is 25+, then /usr/lib/jvm/*25*, then any newer JDK under /usr/lib/jvm.

jtcp_jdk_major() {
  # The "release" file of a JDK holds JAVA_VERSION="25.0.3"; print its major number.
  sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" 2>/dev/null
}

jtcp_is_jdk25() {
  [ -x "$1/bin/javac" ] || return 1
  _m=$(jtcp_jdk_major "$1")
  [ -n "$_m" ] && [ "$_m" -ge 25 ]
}

jtcp_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && jtcp_is_jdk25 "$JAVA_HOME"; then
    return 0
  fi
  # The caller may run with globbing off (mvnw uses set -f); turn it on for the search.
  case $- in *f*) _jtcp_noglob=1; set +f ;; *) _jtcp_noglob=0 ;; esac
  _found=1
  for _d in /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    if jtcp_is_jdk25 "$_d"; then
      JAVA_HOME="$_d"
      export JAVA_HOME
      _found=0
      break
    fi
  done
  [ "$_jtcp_noglob" = 1 ] && set -f
  return $_found
}
