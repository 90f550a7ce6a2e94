# Shared by the bin/quiver-* commands (sourced, not run). bin/quiver has already exported JAVA_HOME (a JDK 25).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${QUIVER_HOME:-$ROOT/.quiver}"
JVM_OPTS=(--enable-native-access=ALL-UNNAMED -XX:+UseZGC)
# The worker computes rows of many LoRA adapters with the Vector API.
WORKER_JVM_OPTS=(--add-modules=jdk.incubator.vector)

# The Spring Boot executable jar of a module, e.g. jar_of gateway.
jar_of() { ls "$ROOT/$1"/target/*-exec.jar 2>/dev/null | head -1; }

# Builds every module unless the executable jars exist (QUIVER_REBUILD=1 forces it).
build_if_needed() {
  if [ -z "$(jar_of gateway)" ] || [ -z "$(jar_of inference-worker)" ] || [ "${QUIVER_REBUILD:-0}" = 1 ]; then
    echo "Building Quiver (the first build downloads dependencies from Maven Central)..."
    (cd "$ROOT" && ./mvnw -B -q install -DskipTests)
  fi
}

# Waits until a URL answers 200, or gives up after $2 seconds.
wait_for() {
  local url="$1" seconds="$2"
  for _ in $(seq 1 "$seconds"); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 1
  done
  return 1
}
