#!/usr/bin/env bash
# The overhead benchmark: no agent, Weft and the OpenTelemetry Java agent, interleaved, on loopback.
# Builds the Weft agent, weft-receiver and the benchmark applications, fetches the pinned OpenTelemetry agent
# into benchmarks/.cache, runs every figure and writes benchmarks/results/<date>.md and latest.md, then the
# index of every report, benchmarks/results/README.md (benchmarks/history.py).
#
#   benchmarks/run.sh               full run, about 55 minutes
#   benchmarks/run.sh --quick       smoke check, about 5 minutes (results/<date>-quick.md, too short to quote)
#   benchmarks/run.sh --only web,pipeline   some figures only (jars, startup, calls, web, pipeline)
#   benchmarks/run.sh --offline     build with mvn -o (every dependency already in ~/.m2)
#   benchmarks/run.sh --no-build    use the jars already built
#   benchmarks/run.sh --jdk DIR     run on the JDK in DIR (default: JAVA_HOME, else java on PATH); writes <date>-jdk<N>.md
set -euo pipefail

cd "$(dirname "$0")/.."

bench_args=()
mvn_flags=(-B -q -Dmaven.test.skip=true)
build=true
java_bin=${JAVA_HOME:+$JAVA_HOME/bin/java}
java_bin=${java_bin:-java}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) bench_args+=(--quick) ;;
    --only) bench_args+=(--only "${2:?--only needs a list}"); shift ;;
    --offline) mvn_flags+=(-o) ;;
    --no-build) build=false ;;
    --jdk) java_bin="${2:?--jdk needs a directory}/bin/java"; bench_args+=(--other-jdk); shift ;;
    -h|--help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

# The agents must see only the configuration the harness gives them, identical for both.
while read -r name; do
  unset "$name"
done < <(compgen -e | grep -E '^(OTEL|WEFT)_' || true)

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[[ -x /usr/bin/time ]] || missing+=(time)
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "run.sh: ${missing[*]} missing; install the Debian package(s) ${missing[*]} as root and run again" >&2
    exit 1
  fi
  echo "==> installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if $build; then
  echo "==> building the agent, the receiver, the Spring Boot application and the benchmarks; fetching the OpenTelemetry agent"
  mvn "${mvn_flags[@]}" -Pbenchmarks package -pl agent,receiver,smoke-tests/spring-boot-app,benchmarks -am
fi

otel_version=$(sed -n 's:.*<otel-javaagent.version>\(.*\)</otel-javaagent.version>.*:\1:p' benchmarks/pom.xml)
weft_jar=agent/target/weft-agent.jar
otel_jar=benchmarks/.cache/opentelemetry-javaagent-$otel_version.jar
receiver_jar=receiver/target/weft-receiver.jar
bench_jar=benchmarks/target/weft-benchmarks.jar
spring_boot_jar=smoke-tests/spring-boot-app/target/spring-boot-app.jar
for jar in "$weft_jar" "$otel_jar" "$receiver_jar" "$bench_jar" "$spring_boot_jar"; do
  if [[ ! -f $jar ]]; then
    echo "run.sh: $jar is missing; run without --no-build" >&2
    exit 1
  fi
done

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain -- agent instrumentation 2>/dev/null) ]]; then
  commit="$commit (agent or instrumentation modified since)"
elif [[ -n $(git status --porcelain -- benchmarks/src 2>/dev/null) ]]; then
  commit="$commit (the benchmark's own code modified since)"
fi

echo "==> running (logs of every process in benchmarks/target/bench-logs)"
status=0
"$java_bin" -Xmx1g -jar "$bench_jar" \
  --weft-agent "$weft_jar" --otel-agent "$otel_jar" --receiver "$receiver_jar" --spring-boot-app "$spring_boot_jar" \
  --results benchmarks/results --commit "$commit" "${bench_args[@]}" || status=$?
# the index of every report (benchmarks/results/README.md), with the new one in it
if [[ $status -eq 0 ]]; then
  if command -v python3 >/dev/null 2>&1; then
    python3 benchmarks/history.py > benchmarks/results/README.md
  else
    echo "run.sh: python3 missing; benchmarks/results/README.md not updated (python3 benchmarks/history.py writes it)" >&2
  fi
fi
exit $status
