#!/usr/bin/env bash
# Full side-by-side run: gosio vs Node's socket.io 4.8.4 vs zishang520
# v3.0.6 (5 rounds of echo, broadcast, connect, polling, idle), then the
# 15,000-connection hold against gosio only. About 10 minutes on 2 cores.
# Binaries, logs and results.jsonl go to /tmp/siobench. See
# docs/performance.md. Extra arguments go to the comparison run, e.g.
#   bench/run.sh -rounds 3 -scenarios echo,broadcast
# The cluster scenarios (own redis-server, 2 or 4 nodes of 10,000
# connections each, about 6 minutes for 3 rounds) are separate:
#   go run ./bench/runner -rounds 3 -scenarios cluster2,cluster4 -servers gosio,node
set -euo pipefail
cd "$(dirname "$0")/.."

# Every connection costs a descriptor in the server and in the load tool.
need=16000
if [ "$(ulimit -n)" -lt "$need" ]; then
	ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
if [ "$(ulimit -n)" -lt "$need" ]; then
	echo "ulimit -n is $(ulimit -n), the 15k scenario needs $need" >&2
	exit 1
fi

mkdir -p /tmp/siobench
go build -o /tmp/siobench/runner ./bench/runner
/tmp/siobench/runner -rounds 5 "$@" | tee /tmp/siobench/report.md
cp /tmp/siobench/results.jsonl /tmp/siobench/results-compare.jsonl
/tmp/siobench/runner -build=false -rounds 1 -scenarios idle15k -servers gosio | tee -a /tmp/siobench/report.md
