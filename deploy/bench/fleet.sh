#!/usr/bin/env bash
# The fleet benchmark: N simulated agents speaking the real agent protocol against real collectors
# started with the JVM flags of deploy/systemd/redwatch-collector.service, on the local PostgreSQL.
#
#   deploy/bench/fleet.sh AGENTS [MINUTES] [--collectors 2] [--kill-at SECONDS] [--interval MS]
#   deploy/bench/fleet.sh --store-only AGENTS ROUNDS
#
# Each agent has its own connection, sends a hello, then every interval (default 10 s; start times
# spread over the first interval) a batch: a real Redis 7.0 `INFO everything` (~200 fields, the
# moving ones moved), a PING, host and process facts, 5 log lines, and CONFIG every sixth batch.
# It keeps every unacknowledged batch and resends it after a reconnect, like the agent's spool.
# --collectors 2 starts two collectors on one database and splits the agents between them;
# --kill-at S kills the first collector with SIGKILL S seconds in and restarts it 5 s later (as
# systemd's RestartSec would). Every 10 s it prints acked batches/s, rows/s (pg_stat n_tup_ins),
# ack latency p50/p99, and each collector's CPU (% of one core) and RSS from /proc; every 2 minutes
# the heap after a full GC (jcmd). At the end it waits for every batch to be acknowledged, checks
# PostgreSQL row by row against what was acknowledged (exactly once), times a raw COPY of the same
# rows, and exits 1 if anything was lost or doubled.
#
# --store-only measures the store path alone, in one process (no gRPC, no diagnosis): AGENTS x ROUNDS
# of the same batches stored one transaction per batch on 4 threads (as before group commit), then
# through GroupCommit as the collector wires it, then the same rows by raw COPY, with the ratios.
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and the built jar and test classes:
#   mvn -B -q -o -pl collector -am -DskipTests package
# COLLECTOR_EXTRA_OPTS adds JVM flags to the collectors' (a profiler, a larger heap).
# Not part of any test run. Uses a fresh database redwatch_fleet_<pid>, dropped afterwards (KEEP=1 keeps it).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ "${1:-}" = --store-only ]; then
  db=redwatch_fleet_store_$$
  trap 'psql -h 127.0.0.1 -U postgres -qc "drop database if exists $db with (force)" >/dev/null 2>&1 || true' EXIT
  java -Xmx2g -cp "$repo/collector/target/test-classes:$repo/collector/target/redwatch-collector.jar" \
    io.redwatch.collector.bench.GroupCommitThroughput "${2:?AGENTS}" "${3:?ROUNDS}" "jdbc:postgresql://127.0.0.1:5432/$db"
  exit
fi
agents=${1:?usage: fleet.sh AGENTS [MINUTES] [--collectors 2] [--kill-at SECONDS] [--interval MS]}
minutes=${2:-5}
shift $(( $# >= 2 ? 2 : 1 ))
collectors=1; kill_at=; interval=10000
while [ $# -gt 0 ]; do
  case $1 in
    --collectors) collectors=$2; shift 2 ;;
    --kill-at) kill_at=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
jar=$repo/collector/target/redwatch-collector.jar
classes=$repo/collector/target/test-classes
[ -f "$jar" ] && [ -f "$classes/io/redwatch/collector/bench/FleetLoad.class" ] || {
  echo "build first: mvn -B -q -o -pl collector -am -DskipTests package" >&2; exit 2; }
work=$(mktemp -d)
db=redwatch_fleet_$$
url="jdbc:postgresql://127.0.0.1:5432/$db"
base=$((20000 + RANDOM % 20000))
opts=$(sed -n 's/^Environment="JAVA_OPTS=\(.*\)"$/\1/p' "$repo/deploy/systemd/redwatch-collector.service" \
  | sed "s#-XX:HeapDumpPath=[^ ]*#-XX:HeapDumpPath=$work#; s#-XX:ErrorFile=[^ ]*#-XX:ErrorFile=$work/hs_err_%p.log#")
opts="$opts ${COLLECTOR_EXTRA_OPTS:-}" # e.g. a flight recording: -XX:StartFlightRecording=filename=/tmp/c.jfr

start_collector() { # index
  local k=$1 grpc=$((base + 2 * $1))
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags, as in the unit
  java $opts -jar "$jar" run --db-url "$url" --db-user postgres --grpc-port "$grpc" --http-port $((grpc + 1)) \
    >>"$work/collector-$k.log" 2>&1 &
  echo $! >"$work/collector-$k.pid"
  for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$((grpc + 1))/health" >/dev/null && return 0; sleep 1; done
  echo "collector $k did not start:"; tail -20 "$work/collector-$k.log"; return 1
}

cleanup() {
  for f in "$work"/collector-*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  [ -n "${killer:-}" ] && kill "$killer" 2>/dev/null || true
  wait 2>/dev/null || true
  if grep -l "OutOfMemoryError" "$work"/collector-*.log >/dev/null 2>&1; then echo "a collector ran out of memory:"; grep -h "OutOfMemoryError" "$work"/collector-*.log | head -3; fi
  [ "${KEEP:-}" = 1 ] && echo "kept database $db and logs in $work" && return
  psql -h 127.0.0.1 -U postgres -qc "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

targets=; pids=
for k in $(seq 0 $((collectors - 1))); do
  start_collector "$k"
  targets=${targets:+$targets,}127.0.0.1:$((base + 2 * k)); pids=${pids:+$pids,}$work/collector-$k.pid
done
echo "collector flags: $opts"
if [ -n "$kill_at" ]; then
  ( sleep "$kill_at"; echo "kill -9 collector 0 at ${kill_at}s (pid $(cat "$work/collector-0.pid"))"
    kill -9 "$(cat "$work/collector-0.pid")"; sleep 5; start_collector 0 && echo "collector 0 restarted" ) &
  killer=$!
fi
java -Xmx2g -XX:+UseParallelGC -cp "$classes:$jar" io.redwatch.collector.bench.FleetLoad \
  "$agents" $((minutes * 60)) "$targets" "$pids" "$url" "$interval"
