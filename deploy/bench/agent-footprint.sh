#!/usr/bin/env bash
# Measures the agent's resident memory and CPU while it watches one Redis, with the JVM flags of
# deploy/systemd/redwatch-agent.service, shipping to a real collector on the local PostgreSQL.
#
#   deploy/bench/agent-footprint.sh [SECONDS] [INTERVAL]     (default 600 s at a 10s interval)
#
# Needs the built jars (mvn -B package -DskipTests), PostgreSQL on 127.0.0.1:5432 and Redis on
# 127.0.0.1:6379. Prints RSS every minute and a summary: RSS min/median/max and CPU % of one core.
set -euo pipefail
duration=${1:-600}
interval=${2:-10s}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
db=redwatch_bench_$$
grpc=$((20000 + RANDOM % 20000)); http=$((grpc + 1))
opts=$(sed -n 's/^Environment="JAVA_OPTS=\(.*\)"$/\1/p' "$repo/deploy/systemd/redwatch-agent.service" | sed 's/-XX:ErrorFile=[^ ]*//')
logfile=$(redis-cli -h 127.0.0.1 -p 6379 CONFIG GET logfile | sed -n 2p)

cleanup() {
  [ -n "${agent_pid:-}" ] && kill "$agent_pid" 2>/dev/null || true
  [ -n "${coll_pid:-}" ] && kill "$coll_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  psql -h 127.0.0.1 -U postgres -qc "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

java -jar "$repo/collector/target/redwatch-collector.jar" run --db-url "jdbc:postgresql://127.0.0.1:5432/$db" \
  --db-user postgres --grpc-port "$grpc" --http-port "$http" >"$work/collector.log" 2>&1 &
coll_pid=$!
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$http/health" >/dev/null && break; sleep 1; done
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags, as in the unit
MALLOC_ARENA_MAX=2 java $opts -jar "$repo/agent/target/redwatch-agent.jar" run --collector "127.0.0.1:$grpc" \
  --redis redis://127.0.0.1:6379 ${logfile:+--log-file "$logfile"} --interval "$interval" \
  --state-dir "$work/state" >"$work/agent.log" 2>&1 &
agent_pid=$!
echo "agent pid $agent_pid, flags: $opts"
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$agent_pid/stat"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$agent_pid/status"; }

sleep 20 # start-up (class loading, first connection) is not the steady state
t0=$(date +%s); c0=$(ticks); samples=()
while [ $(( $(date +%s) - t0 )) -lt "$duration" ]; do
  kill -0 "$agent_pid" 2>/dev/null || { echo "agent died:"; tail -20 "$work/agent.log"; exit 1; }
  samples+=("$(rss_kb)")
  elapsed=$(( $(date +%s) - t0 ))
  [ $((elapsed % 60)) -lt 10 ] && echo "t=${elapsed}s rss=$(( ${samples[-1]} / 1024 )) MB"
  sleep 10
done
c1=$(ticks); t1=$(date +%s)
stored=$(psql -h 127.0.0.1 -U postgres -d "$db" -Atc "select count(*) from redwatch_info")
sorted=$(printf '%s\n' "${samples[@]}" | sort -n)
n=${#samples[@]}
min=$(echo "$sorted" | head -1); max=$(echo "$sorted" | tail -1); med=$(echo "$sorted" | sed -n "$(( (n + 1) / 2 ))p")
cpu=$(awk -v c=$((c1 - c0)) -v hz="$hz" -v s=$((t1 - t0)) 'BEGIN {printf "%.2f", 100 * c / hz / s}')
echo "agent over $((t1 - t0)) s at interval $interval: RSS min $((min / 1024)) MB, median $((med / 1024)) MB, max $((max / 1024)) MB; CPU ${cpu}% of one core; INFO samples stored: $stored"
