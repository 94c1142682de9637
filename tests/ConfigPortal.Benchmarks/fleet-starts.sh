#!/usr/bin/env bash
# The fleet benchmark's first round is one sample per process start. This script starts the benchmark N times for each
# build, alternating builds (so machine load falls on both alike), and prints round 1 and round 2 of every start, then
# the median per build and how many rounds met the target (<= 6 s, no failures).
#   bash tests/ConfigPortal.Benchmarks/fleet-starts.sh [starts] [rounds]
# Builds: "jit" (Release build, JIT-compiled at run time) and "image" (published self-contained ReadyToRun composite for
# linux-x64 and started through its app host, as docker/Dockerfile publishes and starts the portal; ADR-020). Needs root
# and /usr/sbin/sshd, as the fleet mode does. The composite publish takes about 5 minutes on 2 cores.
set -euo pipefail
starts=${1:-6}
rounds=${2:-2}
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
dotnet build tests/ConfigPortal.Benchmarks -c Release -v q -nologo >/dev/null
cp -r tests/ConfigPortal.Benchmarks/bin/Release/net10.0 "$out/jit"
dotnet publish tests/ConfigPortal.Benchmarks -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true \
    -p:PublishReadyToRunComposite=true -o "$out/image" -v q -nologo >/dev/null
echo "fleet 100 25 cisco_ios device $rounds light, $starts starts per build, alternating; $(date -u '+%F %T') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$starts"); do
  for build in jit image; do
    log="$out/$build-$i.txt"
    if [[ $build == jit ]]; then run=(dotnet "$out/jit/ConfigPortal.Benchmarks.dll"); else run=("$out/image/ConfigPortal.Benchmarks"); fi
    (cd "$out" && "${run[@]}" fleet 100 25 cisco_ios device "$rounds" light >"$log" 2>&1) || true
    # Table rows: "| 1 (first backups) | 6.53 s | 4.0 s | created | unchanged | failed | ..."
    walls=$(grep -E '^\| [0-9]+ \(' "$log" | awk -F'|' '{gsub(/[ s]/,"",$3); printf "%s ", $3}')
    failed=$(grep -E '^\| [0-9]+ \(' "$log" | awk -F'|' '{gsub(/ /,"",$7); s+=$7} END {print s+0}')
    echo "$build start $i: rounds ${walls:-none} failed $failed, load average $(cut -d' ' -f1 /proc/loadavg)"
    echo "$build $walls $failed" >>"$out/results.txt"
  done
done
python3 - "$out/results.txt" "$rounds" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
rounds = int(sys.argv[2])
for build in ("jit", "image"):
    runs = [r[1:] for r in rows if r[0] == build and len(r) == rounds + 2]
    if not runs:
        print(f"{build}: no complete start"); continue
    first = [float(r[0]) for r in runs]
    warm = [float(w) for r in runs for w in r[1:-1]]
    met = sum(1 for r in runs for w in r[:-1] if float(w) <= 6.0 and r[-1] == "0")
    print(f"{build}: round 1 median {statistics.median(first):.2f} s (min {min(first):.2f}, max {max(first):.2f}), "
          + (f"later rounds median {statistics.median(warm):.2f} s (max {max(warm):.2f}), " if warm else "")
          + f"rounds <= 6 s without failures: {met} of {len(runs) * rounds}")
EOF
echo "logs: $out"
