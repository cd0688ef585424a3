# Finds a JDK for loomraid's scripts. Sourced by ./mvnw and ./loomraid (POSIX sh).
#
#   loomraid_find_jdk MIN [PREFERRED]
#
# Prints the home of a JDK whose feature version is at least MIN: JAVA_HOME if it qualifies
# (and is at least PREFERRED when that is given), else the newest qualifying JDK among the java on
# PATH and the usual install folders. Prints nothing and returns 1 when there is none.

loomraid_jdk_version() {
  # Feature version of the JDK at $1 (from its release file), or 0.
  if [ -r "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9]*\).*/\1/p' "$1/release" | head -n 1
  elif [ -x "$1/bin/java" ]; then
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
  else
    echo 0
  fi
}

loomraid_find_jdk() {
  case $- in
    *f*) set +f; _status=0; _loomraid_find_jdk "$@" || _status=$?; set -f; return $_status ;;
    *) _loomraid_find_jdk "$@" ;;
  esac
}

_loomraid_find_jdk() {
  _min=$1
  _preferred=${2:-$1}
  if [ -n "${JAVA_HOME-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    _v=$(loomraid_jdk_version "$JAVA_HOME")
    if [ "${_v:-0}" -ge "$_preferred" ]; then
      echo "$JAVA_HOME"
      return 0
    fi
  fi
  _best=""
  _best_v=0
  _path_java=$(command -v java 2>/dev/null || true)
  _path_home=""
  if [ -n "$_path_java" ]; then
    _path_home=$("$_path_java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java\.home = //p' | head -n 1)
  fi
  for _home in ${JAVA_HOME-} $_path_home /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* \
      "${HOME:-/nonexistent}"/.sdkman/candidates/java/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$_home/bin/java" ] || continue
    _v=$(loomraid_jdk_version "$_home")
    if [ "${_v:-0}" -gt "$_best_v" ]; then
      _best=$_home
      _best_v=$_v
    fi
  done
  if [ "$_best_v" -ge "$_min" ]; then
    echo "$_best"
    return 0
  fi
  return 1
}
