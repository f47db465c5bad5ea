#!/bin/bash
# bench/profile.sh BUILD - where podd spends its CPU per durable task.
#
# Starts podd (BUILD/podd, an optimised build with -g) under valgrind
# --tool=callgrind on a temporary database, drives it with bench/bench_route
# (the routing benchmark of `make bench`: TASK-NEW pipelined, each task
# committed, pushed to the watching lead and ACKed), stops podd, and prints
# with callgrind_annotate the functions that cost most, exclusive and
# inclusive, as instructions per task (the tasks counted in the database).
# Everything is removed on exit (KEEP=1 keeps the directory and
# callgrind.out). Options through the environment:
#   PROFILE_TASKS (2000) PROFILE_TOP (25)
#   PROFILE_LOAD (route): "mixed" drives podd with bench/bench_mixed instead
#   (PROFILE_CLIENTS (10) clients, PROFILE_SECONDS (5) s of the mix of
#   `make bench`, then as long of reads only), to see what reads cost;
#   the figures are still divided by the tasks in the database
# callgrind counts instructions, not time: fsync waits do not show, and
# CURVE's crypto shows as it is (podd always uses CURVE).
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
PKGS=$(sed -n 's/^PKGS *:= *//p' Makefile)
CC=${CC:-gcc}
WARN="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iproto -Idaemon -Iclients"
PODD="$ROOT/$BUILD/podd"
PODCTL="$ROOT/$BUILD/podctl"
OUT="$ROOT/$BUILD/bench"
TASKS=${PROFILE_TASKS:-2000}
TOP=${PROFILE_TOP:-25}

die () { echo "profile: $*" >&2; exit 1; }
command -v valgrind > /dev/null && command -v callgrind_annotate > /dev/null \
    || die "valgrind is missing: scripts/install-deps.sh valgrind"
for f in "$PODD" "$PODCTL" "$BUILD/proto/podp.o" "$BUILD/clients/podclient.o"; do
    [ -e "$f" ] || die "$f is missing: run 'make' first (or 'make profile')"
done
mkdir -p "$OUT"
$CC -O2 -g $WARN -c bench/benchlib.c -o "$OUT/benchlib.o" || die "cannot build bench/benchlib.c"
build () {      # build NAME: a bench program with benchlib, podclient and the codec
    # shellcheck disable=SC2086
    $CC -O2 -g $WARN $(pkg-config --cflags $PKGS) -c "bench/$1.c" -o "$OUT/$1.o" \
        && $CC -o "$OUT/$1" "$OUT/$1.o" "$OUT/benchlib.o" "$BUILD/clients/podclient.o" \
               "$BUILD/proto/podp.o" $(pkg-config --libs $PKGS) -lm \
        || die "cannot build $1"
}
build bench_route
build bench_mixed

T=$(mktemp -d "${TMPDIR:-/tmp}/podd-profile.XXXXXX") || die "cannot make a temporary directory"
PODD_PID=""
cleanup () {
    if [ -n "$PODD_PID" ] && kill -0 "$PODD_PID" 2>/dev/null; then
        kill -KILL "$PODD_PID"; wait "$PODD_PID" 2>/dev/null
    fi
    if [ "${KEEP:-}" = 1 ]; then echo "profile: kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()') \
    || die "no free port"
EP="tcp://127.0.0.1:$port"
mkdir -p "$T/keys" "$T/certs" "$T/spool"
sed -e "s|endpoint = .*|endpoint = \"$EP\"|" \
    -e "s|database = .*|database = \"$T/route.db\"|" \
    -e "s|certs = .*|certs = \"$T/certs\"|" \
    -e "s|server-cert = .*|server-cert = \"$T/keys/podd.cert\"|" \
    -e "s|spool = .*|spool = \"$T/spool\"|" \
    config/podd.conf > "$T/route.conf"
CREATOR=alice.tm
WATCHER=dev.sw
for h in $CREATOR $WATCHER; do
    "$PODCTL" keygen "$h" --dir "$T/keys" > /dev/null || die "podctl keygen $h failed"
    cp "$T/keys/$h.cert" "$T/certs/"
done

valgrind --tool=callgrind --callgrind-out-file="$T/callgrind.out" \
    "$PODD" -f -c "$T/route.conf" >> "$T/podd.log" 2>&1 &
PODD_PID=$!
ready=0
for _ in $(seq 1 600); do
    if [ -f "$T/keys/podd.cert" ] && grep -q "serving on" "$T/podd.log" 2>/dev/null; then
        ready=1; break
    fi
    kill -0 "$PODD_PID" 2>/dev/null || break
    sleep 0.1
done
[ $ready = 1 ] || { cat "$T/podd.log"; die "podd did not start under valgrind"; }

if [ "${PROFILE_LOAD:-route}" = mixed ]; then
    echo "profile: podd under callgrind, bench_mixed (${PROFILE_CLIENTS:-10} clients, ${PROFILE_SECONDS:-5} s of the mix, as long of reads)"
    "$OUT/bench_mixed" -e "$EP" -c "$T/keys/$CREATOR.cert" -w "$T/keys/$WATCHER.cert" \
        -s "$T/keys/podd.cert" -C "${PROFILE_CLIENTS:-10}" -d "${PROFILE_SECONDS:-5}" -o "$T/mixed.summary" \
        | grep -E "^\(|requests|req/s"
else
echo "profile: podd under callgrind, bench_route -n $TASKS (window 100, 100 tasks/s for 2 s)"
"$OUT/bench_route" -e "$EP" -c "$T/keys/$CREATOR.cert" -w "$T/keys/$WATCHER.cert" \
    -s "$T/keys/podd.cert" -n "$TASKS" -W 100 -r 100 -d 2 -p "$PODD_PID" \
    | sed -n '/^(b)/,/CPU per task/p'
fi
kill -TERM "$PODD_PID"
for _ in $(seq 1 600); do kill -0 "$PODD_PID" 2>/dev/null || break; sleep 0.1; done
wait "$PODD_PID" 2>/dev/null
PODD_PID=""
[ -s "$T/callgrind.out" ] || die "callgrind wrote no profile"

routed=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from tasks").fetchone()[0])' "$T/route.db") \
    || die "cannot count the tasks"
total=$(callgrind_annotate "$T/callgrind.out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}')
echo
echo "profile: $routed tasks routed; podd ran $(awk -v t="$total" -v n="$routed" 'BEGIN { printf "%.0f", t / n }') instructions per task (all of its work, start-up included)"
# Each line: instructions per task, share of the total, function
per_task () {
    awk -v n="$routed" -v top="$TOP" -v root="$ROOT/" '
        /^ *[0-9,]+ +\( *[0-9.]+%\) / && !/PROGRAM TOTALS/ {
            ir = $1; gsub(",", "", ir)
            match($0, /\( *[0-9.]+%\)/); pct = substr($0, RSTART + 1, RLENGTH - 2); gsub(" ", "", pct)
            name = substr($0, RSTART + RLENGTH); sub(/^ +/, "", name)
            obj = name; sub(/^[^[]*\[/, "", obj); sub(/\]$/, "", obj); sub(/.*\//, "", obj)
            sub(/ \[[^]]*\]$/, "", name); sub(/^.*\/\.\//, "", name); gsub(root, "", name)
            if (name in seen) next
            seen [name] = 1
            if (shown++ < top) printf "  %10.0f  %6s  %s (%s)\n", ir / n, pct, name, obj
        }'
}
echo
echo "top $TOP by exclusive cost (instructions per task, share, function):"
callgrind_annotate --threshold=100 "$T/callgrind.out" 2>/dev/null | per_task
echo
echo "top $TOP by inclusive cost (the function and what it calls):"
callgrind_annotate --inclusive=yes --threshold=100 "$T/callgrind.out" 2>/dev/null | per_task
