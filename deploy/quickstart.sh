#!/usr/bin/env bash
# redwatch quick start: from a fresh clone to facts in PostgreSQL with one command.
#
#   deploy/quickstart.sh [--no-build]   build, start PostgreSQL and Redis if stopped, then the
#                                       collector and an agent watching the local Redis
#   deploy/quickstart.sh stop           stop the collector and agent started here
#
# Everything it starts writes under run/ at the repository root (git-ignored). Running it again
# stops the previous collector and agent first, so a second run restarts cleanly.
# Environment: REDWATCH_GRPC_PORT, REDWATCH_HTTP_PORT (default 7400, 7401) if those ports are taken;
# REDWATCH_DB (default redwatch), the PostgreSQL database the collector creates and writes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
run=$repo/run
grpc_port=${REDWATCH_GRPC_PORT:-7400}
http_port=${REDWATCH_HTTP_PORT:-7401}
db=${REDWATCH_DB:-redwatch}
health_url=http://127.0.0.1:$http_port/health
redis_url=redis://127.0.0.1:6379
collector_jar=$repo/collector/target/redwatch-collector.jar
agent_jar=$repo/agent/target/redwatch-agent.jar

say() { echo "quickstart: $*"; }
fail() { echo "quickstart: $*" >&2; exit 1; }

usage() {
  echo "usage: deploy/quickstart.sh [--no-build]   build and start PostgreSQL, Redis, collector, agent"
  echo "       deploy/quickstart.sh stop           stop the collector and agent started here"
}

# Last lines of a log, indented, for failure messages.
log_tail() {
  local log=$1
  if [ -s "$log" ]; then
    echo "--- last lines of $log ---"
    tail -n 20 "$log" | sed 's/^/  /'
  else
    echo "($log is empty)"
  fi
}

# Is pid alive and running the given jar? Guards against killing an unrelated process that
# reused a pid from a stale pid file.
is_ours() {
  local pid=$1 jar=$2
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$jar"
}

stop_one() {
  local what=$1 jar=$2 pidfile=$run/$1.pid pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if is_ours "$pid" "$jar"; then
    kill "$pid"
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "$what (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
      kill -9 "$pid" 2>/dev/null || true
    fi
    say "stopped $what (pid $pid)"
  else
    say "$what was not running (removed stale $pidfile)"
  fi
  rm -f "$pidfile"
}

stop_all() {
  # Agent first, so it does not spool batches while the collector goes away.
  stop_one agent "$agent_jar"
  stop_one collector "$collector_jar"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    return 0
  fi
  [ -d /etc/postgresql ] || fail "PostgreSQL is not running on 127.0.0.1:5432 and no cluster is configured under /etc/postgresql: install PostgreSQL (apt-get install postgresql) and run this again"
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  say "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start ||
    fail "could not start PostgreSQL $version: see /var/log/postgresql/postgresql-$version-main.log"
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && return 0
    sleep 1
  done
  fail "PostgreSQL $version started but does not accept connections on 127.0.0.1:5432 after 30 s: see /var/log/postgresql/postgresql-$version-main.log"
}

start_redis() {
  if [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; then
    return 0
  fi
  command -v redis-server >/dev/null || fail "Redis is not running on 127.0.0.1:6379 and redis-server is not installed: apt-get install redis-server"
  say "starting Redis on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null ||
    fail "could not start redis-server on 127.0.0.1:6379"
  for _ in $(seq 1 20); do
    [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.5
  done
  fail "redis-server started but does not answer PING on 127.0.0.1:6379 after 10 s"
}

# The absolute path of the local Redis log file, or nothing when Redis logs to stdout.
redis_log_file() {
  local file dir
  file=$(redis-cli -h 127.0.0.1 -p 6379 CONFIG GET logfile | sed -n 2p)
  [ -n "$file" ] || return 0
  if [ "${file#/}" = "$file" ]; then
    dir=$(redis-cli -h 127.0.0.1 -p 6379 CONFIG GET dir | sed -n 2p)
    file=$dir/$file
  fi
  echo "$file"
}

# Starts java -jar JAR ARGS... detached (own session, so Ctrl-C here does not stop it).
start_java() {
  local what=$1 jar=$2
  shift 2
  # Keep the previous run's log: after a failed start it is what explains the failure.
  if [ -s "$run/$what.log" ]; then mv -f "$run/$what.log" "$run/$what.log.1"; fi
  : >"$run/$what.log"
  nohup setsid java -jar "$jar" "$@" >>"$run/$what.log" 2>&1 </dev/null &
  echo $! >"$run/$what.pid"
}

# INFO samples taken since the given epoch second. Counting only new rows matters: the database
# outlives earlier runs, and old rows must not make a dead agent look like it delivers.
info_rows_since() {
  psql -h 127.0.0.1 -U postgres -d "$db" -Atc "select count(*) from redwatch_info where ts >= to_timestamp($1)" 2>/dev/null || echo 0
}

build=yes
case "${1:-}" in
  stop) [ $# -eq 1 ] || { usage >&2; exit 2; }; stop_all; exit 0 ;;
  --no-build) build=no; shift ;;
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) echo "quickstart: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
esac
[ $# -eq 0 ] || { echo "quickstart: unexpected argument '$1'" >&2; usage >&2; exit 2; }

for tool in java psql pg_isready redis-cli curl; do
  command -v "$tool" >/dev/null || fail "$tool is not installed; the quick start needs java (17+), psql, pg_isready, redis-cli and curl"
done

if [ "$build" = yes ]; then
  command -v mvn >/dev/null || fail "mvn is not installed: install Maven 3.8+, or build elsewhere and pass --no-build"
  say "building (mvn -B -q package -DskipTests)"
  # Maven 3.8 writes colour resets (ESC[0m) even with -B and style.color=never: its output goes to a
  # file, and to the terminal only when the build fails.
  mkdir -p "$run"
  if ! (cd "$repo" && mvn -B -q --no-transfer-progress -Dstyle.color=never package -DskipTests) >"$run/build.log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$run/build.log" | tail -40 >&2
    fail "the build failed (the end of its output is above; all of it in $run/build.log); fix it and run this again"
  fi
fi
[ -f "$collector_jar" ] || fail "collector jar not found at $collector_jar: run mvn -B package first (or drop --no-build)"
[ -f "$agent_jar" ] || fail "agent jar not found at $agent_jar: run mvn -B package first (or drop --no-build)"

mkdir -p "$run/agent-state"
stop_all
start_postgres
start_redis

for port in "$grpc_port" "$http_port"; do
  port_open "$port" && fail "port $port on 127.0.0.1 is in use by a process this script did not start: stop it, or set REDWATCH_GRPC_PORT/REDWATCH_HTTP_PORT"
done

say "starting the collector (log: $run/collector.log)"
start_java collector "$collector_jar" run --db-url "jdbc:postgresql://127.0.0.1:5432/$db" --db-user postgres --grpc-port "$grpc_port" --http-port "$http_port"
pid=$(cat "$run/collector.pid")
up=no
for _ in $(seq 1 60); do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$run/collector.pid"
    fail "the collector exited during startup.
$(log_tail "$run/collector.log")"
  fi
  if curl -fsS -o /dev/null --max-time 2 "$health_url" 2>/dev/null; then
    up=yes
    break
  fi
  sleep 1
done
[ "$up" = yes ] || fail "the collector did not answer $health_url within 60 s (it is still running as pid $pid; stop it with deploy/quickstart.sh stop).
$(log_tail "$run/collector.log")"
say "collector is up: $health_url"

log_file=$(redis_log_file)
agent_args=(run --collector "127.0.0.1:$grpc_port" --redis "$redis_url" --interval 1s --state-dir "$run/agent-state")
if [ -z "$log_file" ]; then
  say "Redis logs to stdout (CONFIG GET logfile is empty): log tailing is off"
else
  [ -r "$log_file" ] || say "warning: cannot read the Redis log $log_file as $(id -un): the agent will report it unreadable"
  agent_args+=(--log-file "$log_file")
fi

say "starting the agent (log: $run/agent.log)"
agent_started=$(date +%s)
start_java agent "$agent_jar" "${agent_args[@]}"
pid=$(cat "$run/agent.pid")
rows=0
for _ in $(seq 1 60); do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$run/agent.pid"
    fail "the agent exited (the collector is still running; deploy/quickstart.sh stop stops it).
$(log_tail "$run/agent.log")"
  fi
  rows=$(info_rows_since "$agent_started")
  [ "${rows:-0}" -gt 0 ] 2>/dev/null && break
  rows=0
  sleep 1
done
[ "$rows" -gt 0 ] || fail "no INFO sample reached PostgreSQL (table redwatch_info in database $db) within 60 s (both are still running; deploy/quickstart.sh stop stops them).
$(log_tail "$run/agent.log")
$(log_tail "$run/collector.log")"

cat <<EOF

redwatch is running: $rows INFO sample(s) stored since the agent started, one more every second.
  collector  $health_url   log: $run/collector.log
  agent      watching $redis_url${log_file:+ and $log_file}   log: $run/agent.log
  stop both  deploy/quickstart.sh stop

First query:
  psql -h 127.0.0.1 -U postgres $db -c "select instance, ts, used_memory, connected_clients from redwatch_info order by ts desc limit 5"
EOF
