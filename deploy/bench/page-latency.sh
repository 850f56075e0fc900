#!/usr/bin/env bash
# How fast a page leaves: from the moment a real redis-server writes its fork-failure line
# ("Can't save in background: fork: Cannot allocate memory", fork() failed by an LD_PRELOAD library)
# until GreenMail accepts the email and a local HTTP SMS gateway receives the webhook POST. The agent
# and the collector are the built jars as processes, with their default settings.
#
#   deploy/bench/page-latency.sh [N] [REDIS_SERIES]     (default 10 runs on redis 7.0; also 2.8, 6.2)
#
# Needs Java 17, Maven, gcc, PostgreSQL on 127.0.0.1:5432 (user postgres) and redis-server 7.0 on
# PATH. Prints each run and p50/p90/max; the write-up is in docs/benchmarks.md.
set -euo pipefail
runs=${1:-10}
series=${2:-7.0}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
mvn -B -q -pl collector -am -DskipTests package
mvn -B -pl collector -am verify -Dtest=none -Dit.test=PageLatencyBenchmarkIT \
  -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dredwatch.benchmark=true -Dredwatch.benchmark.repetitions="$runs" -Dredwatch.benchmark.redis="$series" \
  | grep -E '^(page latency|  email|  sms)|BUILD|ERROR'
