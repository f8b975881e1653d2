#!/usr/bin/env bash
# Renders the benchmark checks (checks.csv) as a PNG bar chart of ratio / goal per check.
#
# Usage, from the repository root:
#   flow-bench/chart.sh [checks.csv] [out.png] [title details]
# Defaults: flow-bench/results/latest/checks.csv, docs/images/benchmark-ratios.png, and
# "<today>, JDK <java version>, <cores> cores" as the title details. Targets T1-T6 are drawn;
# set TARGETS (e.g. TARGETS=T1,T5 or TARGETS=all) to choose others.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
csv="${1:-$root/flow-bench/results/latest/checks.csv}"
out="${2:-$root/docs/images/benchmark-ratios.png}"
jar="$root/flow-bench/target/flow-bench.jar"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

if [[ ! -f "$jar" ]]; then
  echo "chart.sh: $jar not found; build it with: mvn -B -q -pl flow-bench -am package -DskipTests" >&2
  exit 1
fi
if [[ ! -f "$csv" ]]; then
  echo "chart.sh: $csv not found; run the benchmarks first, or pass the path of a checks.csv" >&2
  exit 1
fi

if [[ -n "${3:-}" ]]; then
  details="$3"
else
  jdk="$("$java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')"
  details="$(date +%F), JDK ${jdk:-?}, $(nproc 2>/dev/null || echo '?') cores"
fi

"$java" -Djava.awt.headless=true -cp "$jar" io.flowrelay.bench.ChartRenderer "$csv" "$out" \
  --title "FlowRelay vs peers, $details" --targets "${TARGETS:-T1,T2,T3,T4,T5,T6}"
