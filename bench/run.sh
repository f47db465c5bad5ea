#!/bin/bash
# bench/run.sh BUILD - podd benchmarks: figures and ratios, never pass/fail.
#
# Builds bench/bench_route, bench_mixed and bench_scale into BUILD/bench
# (with bench/benchlib.c, what they share; linking
# the objects `make` built in BUILD: podclient and the codec; bench_scale
# also the daemon's, for the store API), makes a temporary podd config from
# config/podd.conf (free loopback port, database, keys, certs and spool in
# a temporary directory on the same file system as the default TMPDIR),
# member keys with podctl keygen, then:
#   1. starts podd, runs bench_route (baseline, durable routing, latency),
#      then bench_mixed (50 clients: 40% TASK-NEW, 20% TASK-LIST, 20%
#      CASE-SHOW, 20% PING; then reads only), stops podd;
#   2. runs bench_scale, which starts podd itself on databases of 10k and
#      1M tasks;
#   3. mail drain: the real mailer actor (BUILD/tests/mailer_driver) sends
#      MAIL_MESSAGES messages of about 4 KiB to a loopback SMTP sink
#      (bench/smtp_sink.py) as one batch (one SMTP session) and as batches
#      of one (one session per message), plain and with STARTTLS required
#      (a throwaway self-signed certificate, trusted by the driver only,
#      through HOME and XDG_CONFIG_DIR pointing into the temporary
#      directory); each figure is the median of MAIL_RUNS runs;
# and prints a summary table. Everything is removed on exit (KEEP=1 keeps
# the directory). Options through the environment:
#   ROUTE_TASKS (20000) ROUTE_WINDOW (100) ROUTE_RATE (1000) ROUTE_SECONDS (3)
#   MIXED_CLIENTS (50) MIXED_SECONDS (5)
#   SCALE_TASKS (1000000) SCALE_CASES (100000) SCALE_SMALL (10000) SCALE_REQUESTS (500)
#   MAIL_MESSAGES (500) MAIL_BODY (3700: mailer_driver -k, ~4 KiB messages) MAIL_RUNS (3)
#   BENCH_PARTS ("scale mail"): the parts run besides routing and the mixed
#   load, which always run; a part left out prints "-" in the summary
set -u
# podd refuses a database that group or others can read (it holds case
# records): bench_scale creates its databases through the store, so as podd does
umask 077
BUILD=${1:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
# The Makefile's package list, so the daemon objects always link
PKGS=$(sed -n 's/^PKGS *:= *//p' Makefile)
[ -n "$PKGS" ] || PKGS="libczmq libzmq sqlite3 jansson libical gmime-3.0 libesmtp-1.0"
CC=${CC:-gcc}
CFLAGS=${CFLAGS:--O2 -g}
WARN="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iproto -Idaemon -Iclients"
PODD="$ROOT/$BUILD/podd"
PODCTL="$ROOT/$BUILD/podctl"
OUT="$ROOT/$BUILD/bench"

die () { echo "bench: $*" >&2; exit 1; }
want () { case " ${BENCH_PARTS:-scale mail} " in *" $1 "*) return 0 ;; esac; return 1; }

# ---------------------------------------------------------------- build
# bench_scale uses the store (and config, when...): link every daemon object
# but main.o, as the Makefile links podd_selftest, so new modules need no
# change here
DAEMON_OBJS=()
for src in daemon/*.c; do
    [ "$src" = daemon/main.c ] || DAEMON_OBJS+=("$BUILD/${src%.c}.o")
done
for f in "$PODD" "$PODCTL" "$BUILD/proto/podp.o" "$BUILD/clients/podclient.o" "${DAEMON_OBJS[@]}"; do
    [ -e "$f" ] || die "$f is missing: run 'make' first (or 'make bench')"
done
mkdir -p "$OUT"
# shellcheck disable=SC2086
PKG_CFLAGS=$(pkg-config --cflags $PKGS) || die "pkg-config: missing packages ($PKGS)"
# shellcheck disable=SC2086
PKG_LIBS=$(pkg-config --libs $PKGS)
build () {      # build NAME OBJECTS...
    local name=$1; shift
    echo "bench: building $OUT/$name"
    # shellcheck disable=SC2086
    $CC $CFLAGS $WARN $PKG_CFLAGS -c "bench/$name.c" -o "$OUT/$name.o" || exit 1
    # shellcheck disable=SC2086
    $CC $LDFLAGS_BENCH -o "$OUT/$name" "$OUT/$name.o" "$@" $PKG_LIBS -lm || exit 1
}
LDFLAGS_BENCH=${LDFLAGS:-}
case "$BUILD" in        # objects built with SAN=1 need the sanitizer runtime
    *san*) CFLAGS="$CFLAGS -O1 -fsanitize=address,undefined -fno-omit-frame-pointer"
           LDFLAGS_BENCH="$LDFLAGS_BENCH -fsanitize=address,undefined" ;;
esac
# shellcheck disable=SC2086
$CC $CFLAGS $WARN -c bench/benchlib.c -o "$OUT/benchlib.o" || exit 1
build bench_route "$OUT/benchlib.o" "$BUILD/clients/podclient.o" "$BUILD/proto/podp.o"
build bench_scale "$OUT/benchlib.o" "${DAEMON_OBJS[@]}" "$BUILD/clients/podclient.o" "$BUILD/proto/podp.o"
build bench_mixed "$OUT/benchlib.o" "$BUILD/clients/podclient.o" "$BUILD/proto/podp.o"

# ---------------------------------------------------------------- setup
T=$(mktemp -d "${TMPDIR:-/tmp}/podd-bench.XXXXXX") || die "cannot make a temporary directory"
PODD_PID=""
stop_podd () {
    if [ -n "$PODD_PID" ] && kill -0 "$PODD_PID" 2>/dev/null; then
        kill -TERM "$PODD_PID"
        for _ in $(seq 1 100); do
            kill -0 "$PODD_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$PODD_PID" 2>/dev/null && kill -KILL "$PODD_PID"
        wait "$PODD_PID" 2>/dev/null
    fi
    PODD_PID=""
}
SINK_PID=""
stop_sink () {         # TERM makes the sink write its stats file and exit
    if [ -n "$SINK_PID" ] && kill -0 "$SINK_PID" 2>/dev/null; then
        kill -TERM "$SINK_PID"
        for _ in $(seq 1 50); do
            kill -0 "$SINK_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$SINK_PID" 2>/dev/null && kill -KILL "$SINK_PID"
        wait "$SINK_PID" 2>/dev/null
    fi
    SINK_PID=""
}
cleanup () {
    stop_podd
    stop_sink
    if [ "${KEEP:-}" = 1 ]; then echo "bench: kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port () {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# make_config NAME DATABASE: $T/NAME.conf from the shipped demo config
make_config () {
    local port
    port=$(free_port) || die "no free port"
    sed -e "s|endpoint = .*|endpoint = \"tcp://127.0.0.1:$port\"|" \
        -e "s|database = .*|database = \"$2\"|" \
        -e "s|certs = .*|certs = \"$T/certs\"|" \
        -e "s|server-cert = .*|server-cert = \"$T/keys/podd.cert\"|" \
        -e "s|spool = .*|spool = \"$T/spool\"|" \
        "$ROOT/config/podd.conf" > "$T/$1.conf"
    echo "tcp://127.0.0.1:$port"
}

CREATOR=alice.tm        # team manager of pod north
WATCHER=dev.sw          # social worker in pod north: lead of the bench case
mkdir -p "$T/keys" "$T/certs" "$T/spool"
for h in $CREATOR $WATCHER; do
    "$PODCTL" keygen "$h" --dir "$T/keys" > /dev/null || die "podctl keygen $h failed"
    cp "$T/keys/$h.cert" "$T/certs/"
done
EP=$(make_config route "$T/route.db")
SUMMARY="$T/summary"
: > "$SUMMARY"
echo "bench: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg), files on $(df -T "$T" | awk 'NR==2 {print $2}') ($T)"

# ---------------------------------------------------------------- 1. routing
"$PODD" -f -c "$T/route.conf" >> "$T/route-podd.log" 2>&1 &
PODD_PID=$!
ready=0
for _ in $(seq 1 100); do
    if [ -f "$T/keys/podd.cert" ] && grep -q "serving on" "$T/route-podd.log" 2>/dev/null; then
        ready=1; break
    fi
    kill -0 "$PODD_PID" 2>/dev/null || break
    sleep 0.1
done
[ $ready = 1 ] || { cat "$T/route-podd.log"; die "podd did not start"; }

echo
"$OUT/bench_route" -e "$EP" -c "$T/keys/$CREATOR.cert" -w "$T/keys/$WATCHER.cert" \
    -s "$T/keys/podd.cert" -n "${ROUTE_TASKS:-20000}" -W "${ROUTE_WINDOW:-100}" \
    -r "${ROUTE_RATE:-1000}" -d "${ROUTE_SECONDS:-3}" -p "$PODD_PID" -o "$SUMMARY" -f "$T"
route_rc=$?
route_rss=$(awk '/^VmHWM/ {print $2 / 1024}' "/proc/$PODD_PID/status" 2>/dev/null)

# ---------------------------------------------------------------- 1b. mixed load
# the same podd: MIXED_CLIENTS (50) clients, MIXED_SECONDS (5) s of the
# mix, then as long with reads only; ratios to the CURVE echo just measured
echo
"$OUT/bench_mixed" -e "$EP" -c "$T/keys/$CREATOR.cert" -w "$T/keys/$WATCHER.cert" \
    -s "$T/keys/podd.cert" -C "${MIXED_CLIENTS:-50}" -d "${MIXED_SECONDS:-5}" -o "$SUMMARY" -p "$PODD_PID" \
    -E "$(awk '$1 == "route.baseline_curve.pipelined" {v = $2} END {print v + 0}' "$SUMMARY")"
mixed_rc=$?
[ $mixed_rc -eq 0 ] || echo "bench: bench_mixed exited $mixed_rc (podd log: $(tail -3 "$T/route-podd.log"))"
stop_podd
[ $route_rc -eq 0 ] || echo "bench: bench_route exited $route_rc (podd log: $(tail -3 "$T/route-podd.log"))"

# ---------------------------------------------------------------- 2. scale
scale_rc=0
if want scale; then
make_config scale "$T/scale.db" > /dev/null
echo
"$OUT/bench_scale" -P "$PODD" -c "$T/scale.conf" -k "$T/keys" -C "$CREATOR" -w "$WATCHER" \
    -t "${SCALE_TASKS:-1000000}" -a "${SCALE_CASES:-100000}" -m "${SCALE_SMALL:-10000}" \
    -n "${SCALE_REQUESTS:-500}" -l "$T/scale-podd.log" -o "$SUMMARY"
scale_rc=$?
[ $scale_rc -eq 0 ] || echo "bench: bench_scale exited $scale_rc (podd log: $(tail -3 "$T/scale-podd.log" 2>/dev/null))"
fi

# ---------------------------------------------------------------- 3. mail drain
# One sink per figure (its stats check the connections), the driver bounded
# by timeout(1) and its own -w; results in $SUMMARY as mail.MODE.KIND.rate.
# The sink sends no TLS 1.3 session tickets: libesmtp 1.1 can stall a
# session until its timeout when they arrive as it sends EHLO after
# STARTTLS (see bench/smtp_sink.py). A driver that dies is reported, not
# retried. Known: libesmtp 1.1 caches one SSL_CTX per process but frees it
# in smtp_destroy_session, so unless the mailer hands it an SSL_CTX of its
# own (smtp_starttls_set_ctx), the second STARTTLS session of a process
# uses a freed one (SIGSEGV here: one session per message with STARTTLS).
MAIL_N=${MAIL_MESSAGES:-500}
MAIL_BODY=${MAIL_BODY:-3700}
MAIL_RUNS=${MAIL_RUNS:-3}
DRIVER="$ROOT/$BUILD/tests/mailer_driver"
MAILDIR="$T/mail"
mail_rc=0
mkdir -p "$MAILDIR"

# start_sink NAME ARGS...: the sink in $MAILDIR/NAME; sets SINK_PID, SINK_PORT
start_sink () {
    local dir="$MAILDIR/$1"; shift
    SINK_PORT=""
    /usr/bin/python3 "$ROOT/bench/smtp_sink.py" --dir "$dir" --max-seconds 600 "$@" \
        2>> "$dir.log" &
    SINK_PID=$!
    for _ in $(seq 1 50); do
        [ -f "$dir/ready" ] && { SINK_PORT=$(cat "$dir/ready"); return 0; }
        kill -0 "$SINK_PID" 2>/dev/null || break
        sleep 0.1
    done
    stop_sink
    echo "bench: smtp_sink.py did not start: $(tail -3 "$dir.log" 2>/dev/null)"
    return 1
}
# sink_stat NAME KEY: from the stats file the sink wrote on TERM
sink_stat () { awk -v k="$2" '$1 == k {print $2}' "$MAILDIR/$1/stats" 2>/dev/null; }
kind_label () { if [ "$1" = one ]; then echo "one session"; else echo "one session per message"; fi; }
median () { sort -g | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]}'; }

# drain MODE KIND: MAIL_RUNS runs of mailer_driver against a new sink, the
# median rate into $SUMMARY; MODE plain|tls, KIND one (one batch) | each
# (batches of one). Returns 1, with the reason in MAIL_WHY, on a failure.
drain () {
    local mode=$1 kind=$2 name="$1-$2" run out rc rate sent sessions want
    local -a sink_args=() env_args=() drv_args=()
    if [ "$mode" = tls ]; then
        sink_args=(--tlscert "$MAILDIR/cert.pem" --tlskey "$MAILDIR/key.pem" --require-tls)
        env_args=(HOME="$MAILDIR/home" XDG_CONFIG_HOME="$MAILDIR/home/.config"
                  XDG_CONFIG_DIR="$MAILDIR/home/.config")
        drv_args=(-T required)
    fi
    want=$MAIL_RUNS
    [ "$kind" = each ] && { drv_args+=(-b 1); want=$((MAIL_RUNS * MAIL_N)); }
    MAIL_WHY=""
    start_sink "$name" "${sink_args[@]}" || { MAIL_WHY="the sink did not start"; return 1; }
    drv_args+=(-s "127.0.0.1:$SINK_PORT" -t 5 -w 100 -q -n "$MAIL_N" -k "$MAIL_BODY")
    : > "$MAILDIR/$name.rates"
    for run in $(seq 1 "$MAIL_RUNS"); do
        # (in $MAILDIR without core dumps, so that a crash leaves nothing behind)
        out=$(exec 2>> "$MAILDIR/$name.err"; cd "$MAILDIR" && ulimit -c 0
              env "${env_args[@]}" timeout 120 "$DRIVER" "${drv_args[@]}")
        rc=$?
        printf '%s\n' "$out" | grep -v '^[DIWE]: ' >> "$MAILDIR/$name.out"
        rate=$(printf '%s\n' "$out" | sed -n 's/^summary .* rate=\([0-9.]*\).*/\1/p')
        sent=$(printf '%s\n' "$out" | sed -n 's/^summary .* sent=\([0-9]*\).*/\1/p')
        if [ $rc -ne 0 ] || [ "${sent:-0}" != "$MAIL_N" ]; then
            stop_sink
            if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
                MAIL_WHY="mailer_driver did not finish within 120 s"
            elif [ $rc -gt 128 ] && [ $rc -lt 160 ]; then
                MAIL_WHY="mailer_driver died of SIG$(kill -l $((rc - 128)) 2>/dev/null)"
            else
                MAIL_WHY="mailer_driver exit $rc, $(printf '%s\n' "$out" | grep -m1 '^summary' | cut -d' ' -f4-7)"
            fi
            MAIL_WHY="$MAIL_WHY in run $run, after $(sink_stat "$name" messages) messages"
            MAIL_WHY="$MAIL_WHY in $(sink_stat "$name" connections) SMTP sessions"
            return 1
        fi
        echo "$rate" >> "$MAILDIR/$name.rates"
    done
    stop_sink
    sessions=$(sink_stat "$name" connections)
    if [ "$sessions" != "$want" ] || [ "$(sink_stat "$name" messages)" != "$((MAIL_RUNS * MAIL_N))" ]; then
        MAIL_WHY="the sink saw $sessions sessions (not $want) and $(sink_stat "$name" messages) messages"
        return 1
    fi
    rate=$(median < "$MAILDIR/$name.rates")
    echo "mail.$mode.$kind.rate $rate" >> "$SUMMARY"
    echo "mail.size $(( $(sink_stat "$name" bytes) / (MAIL_RUNS * MAIL_N) ))" >> "$SUMMARY"
    echo "bench: mail drain, $([ "$mode" = tls ] && echo "STARTTLS" || echo "plain"), $(kind_label "$kind"):" \
         "$(tr '\n' ' ' < "$MAILDIR/$name.rates")msg/s, $sessions sessions"
}

# ratio MODE: one-session rate / one-per-message rate into $SUMMARY
ratio () {
    local r
    r=$(awk -v k1="mail.$1.one.rate" -v k2="mail.$1.each.rate" \
          '$1 == k1 {a = $2} $1 == k2 {b = $2} END {if (a != "" && b > 0) printf "%.2f", a / b}' "$SUMMARY")
    [ -n "$r" ] && echo "mail.$1.ratio $r" >> "$SUMMARY"
}

echo
MAIL_NOTES=()           # why a mail figure is missing, for the summary
if ! want mail; then
    MAIL_NOTES+=("mail drain: not run (BENCH_PARTS)")
elif [ ! -x "$DRIVER" ]; then
    MAIL_NOTES+=("mail drain: not measured (no $DRIVER: run make)")
    mail_rc=1
else
    echo "bench: mail drain, $MAIL_N messages x $MAIL_RUNS runs (mailer_driver -k $MAIL_BODY)"
    for kind in one each; do
        drain plain $kind || { MAIL_NOTES+=("mail drain, $(kind_label $kind): not measured ($MAIL_WHY)"); mail_rc=1; }
    done
    ratio plain
    # STARTTLS: a self-signed certificate for 127.0.0.1 (libesmtp matches
    # the host against DNS names only), trusted through the driver's HOME
    tls_why=""
    mkdir -p "$MAILDIR/home/.config/libesmtp"
    chmod 700 "$MAILDIR/home" "$MAILDIR/home/.config" "$MAILDIR/home/.config/libesmtp"
    if ! command -v openssl > /dev/null; then
        tls_why="no openssl to make a certificate"
    elif ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
            -subj "/CN=127.0.0.1" -addext "subjectAltName=DNS:127.0.0.1,IP:127.0.0.1" \
            -keyout "$MAILDIR/key.pem" -out "$MAILDIR/cert.pem" 2> "$MAILDIR/openssl.log"; then
        tls_why="openssl req: $(tail -1 "$MAILDIR/openssl.log")"
    elif ! install -m 0600 "$MAILDIR/cert.pem" "$MAILDIR/home/.config/libesmtp/ca.pem"; then
        tls_why="cannot install the CA file"
    fi
    if [ -n "$tls_why" ]; then
        MAIL_NOTES+=("STARTTLS: not measured ($tls_why)")
    else
        for kind in one each; do
            drain tls $kind || MAIL_NOTES+=("STARTTLS, $(kind_label $kind): not measured ($MAIL_WHY)")
        done
        ratio tls
    fi
    for note in "${MAIL_NOTES[@]}"; do echo "bench: $note"; done
fi

# ---------------------------------------------------------------- summary
get () { awk -v k="$1" '$1 == k {v = $2} END {if (v == "") print "-"; else print v}' "$SUMMARY"; }
fmt () { # fmt VALUE PRINTF-FORMAT
    # shellcheck disable=SC2059
    if [ "$1" = "-" ]; then printf '%s' "-"; else LC_ALL=C printf "$2" "$1"; fi
}
# count_label N: 10000 -> 10k, 1000000 -> 1M
count_label () {
    awk -v n="$1" 'BEGIN { if (n == "-") print "?"; else if (n >= 1e6) printf "%gM", n / 1e6;
                          else if (n >= 1e3) printf "%gk", n / 1e3; else printf "%d", n }'
}
SMALL=$(count_label "$(get scale.small.tasks)")
LARGE=$(count_label "$(get scale.large.tasks)")
echo
echo "== podd benchmark summary: figures, not pass/fail ($(nproc) cores, load average now $(cut -d' ' -f1-3 /proc/loadavg))"
# "before": the figure of issue 13, measured the same way on a 2-core
# machine before that work (wall-clock figures are noisy on a shared
# machine: the CPU per task, from podd's own utime + stime, is the one to
# compare)
printf '  %-48s %22s   %-14s %s\n' "figure" "value" "target" "before"
row () { printf '  %-48s %22s   %-14s %s\n' "$1" "$2" "$3" "${4:-}"; }
row "fdatasync of 4 KiB here, p50 / p99" \
    "$(fmt "$(get env.fdatasync.p50_ms)" '%.3f') / $(fmt "$(get env.fdatasync.p99_ms)" '%.3f') ms" "(floor of every commit)"
row "zmq echo pipelined, plain / CURVE" \
    "$(fmt "$(get route.baseline.pipelined)" '%.0f') / $(fmt "$(get route.baseline_curve.pipelined)" '%.0f') msg/s" ""
row "zmq echo one at a time, plain / CURVE" \
    "$(fmt "$(get route.baseline.serial)" '%.0f') / $(fmt "$(get route.baseline_curve.serial)" '%.0f') msg/s" ""
row "podd durable routing, window ${ROUTE_WINDOW:-100}" "$(fmt "$(get route.e2e.tasks_per_s)" '%.0f') tasks/s" "" "5661 tasks/s"
row "  ratio to plain (to CURVE) baseline" \
    "$(fmt "$(get route.e2e.ratio_pct)" '%.1f')% ($(fmt "$(get route.e2e.ratio_curve_pct)" '%.1f')%)" "(>= 15%)" "1.5% (4.7%)"
row "  podd CPU per task" "$(fmt "$(get route.e2e.podd_cpu_us_per_task)" '%.0f') us" "<= 40 us" "170 us"
row "  bench client's own CPU per task" "$(fmt "$(get route.e2e.client_cpu_us_per_task)" '%.0f') us" "" ""
row "send->push at ${ROUTE_RATE:-1000}/s, p50 / p99 / max" \
    "$(fmt "$(get route.latency.p50_ms)" '%.2f') / $(fmt "$(get route.latency.p99_ms)" '%.2f') / $(fmt "$(get route.latency.max_ms)" '%.2f') ms" "p99 <= 1 ms" "p99 1.85 ms"
row "podd VmHWM after the routing run" "$(fmt "${route_rss:--}" '%.1f') MB" "<= 100 MB"
for op in task_new_lead task_new_route list_mine list_pod; do
    row "$op mean $SMALL -> $LARGE tasks" \
        "$(fmt "$(get "scale.small.$op.mean_ms")" '%.2f') -> $(fmt "$(get "scale.large.$op.mean_ms")" '%.2f') ms x$(fmt "$(get "scale.ratio.$op.mean")" '%.2f')" "x <= 1.5" "(issue: x <= 1.5)"
    row "$op p99  $SMALL -> $LARGE tasks" \
        "$(fmt "$(get "scale.small.$op.p99_ms")" '%.2f') -> $(fmt "$(get "scale.large.$op.p99_ms")" '%.2f') ms x$(fmt "$(get "scale.ratio.$op.p99")" '%.2f')" "x <= 1.5" "(issue: x <= 1.5)"
done
row "podd VmRSS / VmHWM at $LARGE tasks" \
    "$(fmt "$(get scale.large.vmrss_mb)" '%.1f') / $(fmt "$(get scale.large.vmhwm_mb)" '%.1f') MB" "< 100 MB" "(issue: < 100 MB)"
row "database at $LARGE tasks" "$(fmt "$(get scale.large.db_mb)" '%.0f') MB" ""
MAIL_KIB=$(awk -v b="$(get mail.size)" 'BEGIN { if (b == "-") print "4"; else printf "%.1f", b / 1024 }')
row "mail drain $MAIL_N x $MAIL_KIB KiB, reuse / per message" \
    "$(fmt "$(get mail.plain.one.rate)" '%.0f') / $(fmt "$(get mail.plain.each.rate)" '%.0f') msg/s" ""
row "  ratio" "$(fmt "$(get mail.plain.ratio)" 'x%.2f')" ">= x5"
row "  STARTTLS required, reuse / per message" \
    "$(fmt "$(get mail.tls.one.rate)" '%.0f') / $(fmt "$(get mail.tls.each.rate)" '%.0f') msg/s" ""
row "  ratio with STARTTLS" "$(fmt "$(get mail.tls.ratio)" 'x%.2f')" ">= x5"
for note in "${MAIL_NOTES[@]}"; do printf '  %s\n' "$note"; done
# the mixed load (bench_mixed), beside issue 13's figures before readers
row "mixed load, ${MIXED_CLIENTS:-50} clients: throughput" "$(fmt "$(get mixed.rps)" '%.0f') req/s" \
    "issue 13 baseline 2.5-3.1k req/s"
row "  ratio to the CURVE echo" "$(fmt "$(get mixed.ratio_curve_pct)" '%.1f')%" ""
row "  CPU per request: podd / bench client" \
    "$(fmt "$(get mixed.podd_cpu_us)" '%.0f') / $(fmt "$(get mixed.client_cpu_us)" '%.0f') us" ""
row "  PING p50 / p99" "$(fmt "$(get mixed.ping.p50_ms)" '%.2f') / $(fmt "$(get mixed.ping.p99_ms)" '%.2f') ms" \
    "baseline p99 35-52 ms (all requests)"
row "  reads (TASK-LIST, CASE-SHOW) p50 / p99" \
    "$(fmt "$(get mixed.read.p50_ms)" '%.2f') / $(fmt "$(get mixed.read.p99_ms)" '%.2f') ms" "baseline p99 35-52 ms"
row "  writes (TASK-NEW) p50 / p99" \
    "$(fmt "$(get mixed.write.p50_ms)" '%.2f') / $(fmt "$(get mixed.write.p99_ms)" '%.2f') ms" "baseline p99 35-52 ms"
row "reads only, ${MIXED_CLIENTS:-50} clients: throughput" "$(fmt "$(get mixed_reads.rps)" '%.0f') req/s" \
    "baseline 16-17k req/s"
row "  ratio to the CURVE echo" "$(fmt "$(get mixed_reads.ratio_curve_pct)" '%.1f')%" ""
row "  CPU per request: podd / bench client" \
    "$(fmt "$(get mixed_reads.podd_cpu_us)" '%.0f') / $(fmt "$(get mixed_reads.client_cpu_us)" '%.0f') us" ""
[ $route_rc -eq 0 ] && [ $scale_rc -eq 0 ] && [ $mail_rc -eq 0 ]
