#!/usr/bin/env bash
# Compares WebSocket libraries for the Engine.IO server by measurement:
# server CPU per echo round trip, server memory per idle connection, and how
# each server reacts to protocol violations. See docs/websocket-library.md.
#
# Everything listens on 127.0.0.1, binaries go to /tmp, and every process
# started here is stopped by its PID on exit. Knobs (environment):
#   ROUNDS=7 MEM_ROUNDS=3 TOTAL=200000 CONNS=50 IDLE=5000
#   LIBS="gobwas gobwas-buf gorilla coder"
set -euo pipefail
cd "$(dirname "$0")"

ROUNDS=${ROUNDS:-7}
MEM_ROUNDS=${MEM_ROUNDS:-3}
TOTAL=${TOTAL:-200000}
CONNS=${CONNS:-50}
IDLE=${IDLE:-5000}
read -r -a LIBS <<<"${LIBS:-gobwas gobwas-buf gorilla coder}"
HZ=$(getconf CLK_TCK)

WORK=$(mktemp -d /tmp/wslib.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Server and client each hold one descriptor per connection.
need=$((IDLE + 200))
if [ "$(ulimit -n)" -lt "$need" ]; then
	ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
if [ "$(ulimit -n)" -lt "$need" ]; then
	echo "ulimit -n is $(ulimit -n), need $need" >&2
	exit 1
fi

# Other work on the machine disturbs the figures; say how busy it was.
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "building into $WORK"
go build -o "$WORK/server" ./server
go build -o "$WORK/client" ./client

# start_server LIB: sets SPID and ADDR; the server runs on core 0.
start_server() {
	: >"$WORK/server.out"
	taskset -c 0 "$WORK/server" -lib "$1" -life 5m >"$WORK/server.out" 2>&1 &
	SPID=$!
	PIDS+=("$SPID")
	for _ in $(seq 100); do
		ADDR=$(awk '/^listening/ {print $2}' "$WORK/server.out")
		[ -n "$ADDR" ] && return 0
		sleep 0.05
	done
	echo "server $1 did not start" >&2
	cat "$WORK/server.out" >&2
	exit 1
}

stop_server() {
	kill "$SPID" 2>/dev/null || true
	wait "$SPID" 2>/dev/null || true
}

# client ARGS...: the client runs on core 1.
client() {
	taskset -c 1 "$WORK/client" -addr "$ADDR" -pid "$SPID" -hz "$HZ" "$@" || {
		echo "client failed; server said:" >&2
		cat "$WORK/server.out" >&2
		exit 1
	}
}

# field NAME LINE: the value of NAME=value in LINE.
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k {print $2}'; }

# rotated ROUND: LIBS, rotated left by ROUND, so no library always goes first.
rotated() {
	local n=${#LIBS[@]} i
	for ((i = 0; i < n; i++)); do echo "${LIBS[$(((i + $1) % n))]}"; done
}

RES="$WORK/results"
: >"$RES"

echo
echo "== CPU: $CONNS connections, $TOTAL round trips of 64-byte text, $ROUNDS rounds"
for ((r = 0; r < ROUNDS; r++)); do
	for lib in $(rotated "$r"); do
		start_server "$lib"
		line=$(client -mode load -conns "$CONNS" -total "$TOTAL" -size 64)
		stop_server
		echo "round $r $lib: $line"
		echo "cpu $lib $(field server_cpu_us_per_rt "$line") $(field rt_per_s "$line")" >>"$RES"
	done
done

echo
echo "== memory: $IDLE idle connections, $MEM_ROUNDS rounds"
for ((r = 0; r < MEM_ROUNDS; r++)); do
	for lib in $(rotated "$r"); do
		start_server "$lib"
		line=$(client -mode idle -conns "$IDLE" -settle 2s)
		stop_server
		echo "round $r $lib: $line"
		echo "mem $lib $(field rss_bytes_per_conn "$line") $(field heap_stack_bytes_per_conn "$line") $(field goroutines_per_conn "$line")" >>"$RES"
	done
done

echo
echo "== protocol probes (what each server does with a bad frame)"
for lib in "${LIBS[@]}"; do
	start_server "$lib"
	echo "-- $lib"
	client -mode probe
	stop_server
done

# median KIND LIB COLUMN
median() {
	awk -v k="$1" -v l="$2" -v c="$3" '$1 == k && $2 == l {print $c}' "$RES" | sort -g |
		awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}
# spread KIND LIB COLUMN: min-max over rounds
spread() {
	awk -v k="$1" -v l="$2" -v c="$3" '$1 == k && $2 == l {print $c}' "$RES" | sort -g |
		awk 'NR == 1 {lo = $1} {hi = $1} END {print lo "-" hi}'
}

TABLE="$WORK/table"
: >"$TABLE"
for lib in "${LIBS[@]}"; do
	echo "$lib $(median cpu "$lib" 3) $(spread cpu "$lib" 3) $(median cpu "$lib" 4) $(median mem "$lib" 3) $(median mem "$lib" 4) $(median mem "$lib" 5)" >>"$TABLE"
done

echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== medians (ratio to the best in brackets; rt/s is wall-clock and noisy)"
awk '
	{lib[NR] = $1; cpu[NR] = $2; spr[NR] = $3; rate[NR] = $4; rss[NR] = $5; hs[NR] = $6; gor[NR] = $7
	 if (NR == 1 || $2 < bc) bc = $2; if (NR == 1 || $5 < br) br = $5; if (NR == 1 || $6 < bh) bh = $6}
	END {
		f = "%-10s | %-18s | %-11s | %-8s | %-18s | %-18s | %s\n"
		printf f, "library", "server CPU us/rt", "min-max", "rt/s", "RSS B/idle conn", "heap+stack B/conn", "goroutines/conn"
		for (i = 1; i <= NR; i++)
			printf f, lib[i], sprintf("%.2f (x%.2f)", cpu[i], cpu[i] / bc), spr[i], sprintf("%.0f", rate[i]),
				sprintf("%.0f (x%.2f)", rss[i], rss[i] / br), sprintf("%.0f (x%.2f)", hs[i], hs[i] / bh), gor[i]
	}' "$TABLE"
