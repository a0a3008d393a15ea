#!/usr/bin/env bash
# The quick start: runs the demo shop batch with the Weft agent and prints what it sent, one waterfall
# per trace, as weft-receiver decoded it. Exits non-zero when no trace arrived.
#
#   ./demo.sh              build the agent, the receiver and the demo, then run
#   ./demo.sh --no-build   run what is already in */target
#   ./demo.sh --offline    build with mvn -o (every dependency already in ~/.m2)
set -euo pipefail

cd "$(dirname "$0")"

AGENT_JAR=agent/target/weft-agent.jar
RECEIVER_JAR=receiver/target/weft-receiver.jar
DEMO_JAR=demo/target/weft-demo.jar
HTTP_PORT=4318
GRPC_PORT=4317
LISTEN_WAIT_SECONDS=30  # a cold JVM on a busy machine
TRACE_WAIT_SECONDS=15   # the receiver prints a trace 500 ms after its last span; export is every 200 ms

build=true
mvn_flags=(-B -q -DskipTests)
for arg in "$@"; do
  case "$arg" in
    --no-build) build=false ;;
    --offline) mvn_flags+=(-o) ;;
    -h|--help) sed -n '2,7s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "demo.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

if $build; then
  echo "==> building the agent, the receiver and the demo (mvn package)"
  mvn "${mvn_flags[@]}" package -pl agent,receiver,demo -am
fi
for jar in "$AGENT_JAR" "$RECEIVER_JAR" "$DEMO_JAR"; do
  if [[ ! -f $jar ]]; then
    echo "demo.sh: $jar is missing; run without --no-build" >&2
    exit 1
  fi
done

# true when something accepts connections on 127.0.0.1:$1 (bash's /dev/tcp: no ss or nc needed)
listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

for port in "$HTTP_PORT" "$GRPC_PORT"; do
  if listening "$port"; then
    echo "demo.sh: port $port is already in use (another receiver or an OpenTelemetry Collector?)." >&2
    echo "         Stop whatever listens there and run again." >&2
    exit 1
  fi
done

work_dir=$(mktemp -d)
receiver_out="$work_dir/receiver.out"
receiver_pid=
cleanup() {
  if [[ -n $receiver_pid ]] && kill -0 "$receiver_pid" 2>/dev/null; then
    kill "$receiver_pid" 2>/dev/null || true
    wait "$receiver_pid" 2>/dev/null || true
  fi
  rm -rf "$work_dir"
}
trap cleanup EXIT

echo "==> starting weft-receiver on 127.0.0.1:$HTTP_PORT (OTLP/HTTP) and :$GRPC_PORT (OTLP/gRPC)"
java -jar "$RECEIVER_JAR" --http-port "$HTTP_PORT" --grpc-port "$GRPC_PORT" --quiet-ms 500 \
  >"$receiver_out" 2>&1 &
receiver_pid=$!

deadline=$((SECONDS + LISTEN_WAIT_SECONDS))
until grep -q '^weft-receiver listening' "$receiver_out" && listening "$HTTP_PORT"; do
  if ! kill -0 "$receiver_pid" 2>/dev/null; then
    echo "demo.sh: weft-receiver exited before listening:" >&2
    cat "$receiver_out" >&2
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "demo.sh: weft-receiver is not listening after ${LISTEN_WAIT_SECONDS}s:" >&2
    cat "$receiver_out" >&2
    exit 1
  fi
  sleep 0.1
done

echo "==> running the demo with -javaagent:$AGENT_JAR"
demo_out="$work_dir/demo.out"
OTEL_SERVICE_NAME=weft-demo \
OTEL_INSTRUMENTATION_METHODS_INCLUDE='io.weft.demo.OrderService[*];io.weft.demo.Inventory[reserve];io.weft.demo.PaymentGateway[charge];io.weft.demo.Notifier[sendAsync]' \
OTEL_BSP_SCHEDULE_DELAY=200 \
OTEL_METRIC_EXPORT_INTERVAL=1000 \
  java -javaagent:"$AGENT_JAR" -jar "$DEMO_JAR" 2>&1 | tee "$demo_out"

# each order the batch tried is one trace rooted at OrderService.place
expected=$(grep -c '^\[shop\] order ' "$demo_out" || true)
traces() {
  grep -c '^trace [0-9a-f]*  service ' "$receiver_out" || true
}
deadline=$((SECONDS + TRACE_WAIT_SECONDS))
while (($(traces) < expected)) && ((SECONDS < deadline)) && kill -0 "$receiver_pid" 2>/dev/null; do
  sleep 0.1
done

# stopping the receiver prints whatever it still holds
kill "$receiver_pid" 2>/dev/null || true
wait "$receiver_pid" 2>/dev/null || true
receiver_pid=

echo
echo "==> what weft-receiver received"
cat "$receiver_out"

received=$(traces)
if ((received == 0)); then
  echo "demo.sh: no trace arrived; the agent's [weft] lines above say why" >&2
  exit 1
fi
if ((received < expected)); then
  echo "demo.sh: $received of $expected traces arrived" >&2
fi
echo "==> $received traces from $expected orders"
