#!/usr/bin/env bash
# Measures the agent's resident memory and CPU while it watches one Redis, with the JVM flags of
# deploy/systemd/redwatch-agent.service, shipping to a real collector on the local PostgreSQL.
#
#   deploy/bench/agent-footprint.sh [SECONDS] [INTERVAL] [VARIANT...]   (default: 600 s, 10s, "unit")
#
# Each VARIANT is one agent, LABEL or LABEL='WORDS', all started together against the same collector
# and Redis so that they share the same machine noise (an interleaved A/B, not one run after another).
# WORDS are JVM flags added after the unit's (a later -XX flag wins), plus these words:
#   java=PATH   the java binary (default: java on the PATH)
#   jar=PATH    the agent jar (default: agent/target/redwatch-agent.jar), e.g. a copy built from another commit
#   env:K=V     an environment variable for that agent (MALLOC_ARENA_MAX=2 is set as in the unit)
#   nounit      drop the unit's flags (only WORDS are used)
#   redis=URL   the Redis this agent watches (default redis://127.0.0.1:6379). The collector stores an
#               instance's records only for the agent that owns it (the first to send), so for every
#               agent's data to be stored, as on a real host, give each variant a Redis of its own.
# Example, the unit against the unit plus one more flag:
#   deploy/bench/agent-footprint.sh 180 10s unit ci1='-XX:CICompilerCount=1'
#
# Each agent reads deploy/config/agent.yaml, as the unit reads its config, with its flags overriding
# the collector, Redis, interval and state dir.
# Needs the built jars (mvn -B package -DskipTests), PostgreSQL on 127.0.0.1:5432 and Redis on
# 127.0.0.1:6379. RSS (VmRSS) is sampled every 10 s after a 60 s warm-up; CPU is user+system time of
# the whole process over the measured period. Prints one line per minute and a summary per variant.
set -euo pipefail
duration=${1:-600}
interval=${2:-10s}
shift $(( $# < 2 ? $# : 2 ))
[ $# -gt 0 ] || set -- unit
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
db=redwatch_bench_$$
grpc=$((20000 + RANDOM % 20000)); http=$((grpc + 1))
unit_opts=$(sed -n 's/^Environment="JAVA_OPTS=\(.*\)"$/\1/p' "$repo/deploy/systemd/redwatch-agent.service" \
  | sed 's/-XX:ErrorFile=[^ ]*//; s/-XX:HeapDumpPath=[^ ]*//')
logfile=$(redis-cli -h 127.0.0.1 -p 6379 CONFIG GET logfile | sed -n 2p)
[ -r "$logfile" ] || logfile=""
pids=(); labels=(); coll_pid=""

cleanup() {
  for p in "${pids[@]}" $coll_pid; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -h 127.0.0.1 -U postgres -qc "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

java -jar "$repo/collector/target/redwatch-collector.jar" run --db-url "jdbc:postgresql://127.0.0.1:5432/$db" \
  --db-user postgres --grpc-port "$grpc" --http-port "$http" >"$work/collector.log" 2>&1 &
coll_pid=$!
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$http/health" >/dev/null && break; sleep 1; done

for v in "$@"; do
  label=${v%%=*}; words=""; [ "$v" != "$label" ] && words=${v#*=}
  javabin=java; jar="$repo/agent/target/redwatch-agent.jar"; envs=(MALLOC_ARENA_MAX=2); flags=$unit_opts
  redis=redis://127.0.0.1:6379
  for w in $words; do
    case $w in
      java=*) javabin=${w#java=} ;;
      jar=*) jar=${w#jar=} ;;
      env:*) envs+=("${w#env:}") ;;
      nounit) flags="" ;;
      redis=*) redis=${w#redis=} ;;
    esac
  done
  for w in $words; do case $w in java=*|jar=*|env:*|nounit|redis=*) ;; *) flags="$flags $w" ;; esac; done
  mkdir -p "$work/$label"
  # shellcheck disable=SC2086 # the flags are a list of words, as systemd splits $JAVA_OPTS
  env "${envs[@]}" "$javabin" $flags -jar "$jar" run --config "$repo/deploy/config/agent.yaml" --collector "127.0.0.1:$grpc" --agent-id "bench-$label" \
    --redis "$redis" ${logfile:+--log-file "$logfile"} --interval "$interval" \
    --state-dir "$work/$label/state" >"$work/$label/agent.log" 2>&1 &
  pids+=($!); labels+=("$label")
  echo "$label: pid $!, $javabin ${envs[*]} $flags"
done

hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

sleep 60 # start-up (class loading, first connection, first JIT) is not the steady state
alive() { kill -0 "${pids[$1]}" 2>/dev/null || { echo "${labels[$1]} died:"; tail -20 "$work/${labels[$1]}/agent.log"; exit 1; }; }
for i in "${!pids[@]}"; do alive "$i"; done
t0=$(date +%s); c0=(); for p in "${pids[@]}"; do c0+=("$(ticks "$p")"); done
: >"$work/samples"
while [ $(( $(date +%s) - t0 )) -lt "$duration" ]; do
  line=""
  for i in "${!pids[@]}"; do
    p=${pids[$i]}
    alive "$i"
    r=$(rss_kb "$p"); echo "$i $r" >>"$work/samples"; line="$line ${labels[$i]}=$(mb "$r")"
  done
  elapsed=$(( $(date +%s) - t0 ))
  [ $((elapsed % 60)) -lt 10 ] && echo "t=${elapsed}s RSS MB:$line"
  sleep 10
done
t1=$(date +%s)
stored=$(psql -h 127.0.0.1 -U postgres -d "$db" -Atc "select count(*) from redwatch_info" 2>/dev/null || echo "?")
echo "over $((t1 - t0)) s at interval $interval, ${#pids[@]} agent(s) at once; INFO samples stored: $stored"
printf '%-14s %8s %8s %8s %12s\n' variant "RSS min" median max "CPU %core"
for i in "${!pids[@]}"; do
  sorted=$(awk -v i="$i" '$1 == i {print $2}' "$work/samples" | sort -n)
  n=$(echo "$sorted" | wc -l)
  med=$(echo "$sorted" | sed -n "$(( (n + 1) / 2 ))p")
  cpu=$(awk -v c=$(( $(ticks "${pids[$i]}") - c0[i] )) -v hz="$hz" -v s=$((t1 - t0)) 'BEGIN {printf "%.2f", 100 * c / hz / s}')
  printf '%-14s %8s %8s %8s %12s\n' "${labels[$i]}" "$(mb "$(echo "$sorted" | head -1)")" "$(mb "$med")" \
    "$(mb "$(echo "$sorted" | tail -1)")" "$cpu"
  if grep -q NativeMemoryTracking <<<"$(tr '\0' ' ' <"/proc/${pids[$i]}/cmdline")"; then
    jcmd "${pids[$i]}" VM.native_memory summary 2>/dev/null | grep -E '^(Total|-)' | sed "s/^/  ${labels[$i]} /" || true
  fi
done
