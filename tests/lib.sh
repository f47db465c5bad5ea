# tests/lib.sh - shared by the integration tests (bash). Starts the real
# podd on a free loopback port with its own config, database and keys,
# drives it with the real podctl, and prints "ok - ..." / "not ok - ...".
set -u
BUILD=${BUILD:-build/san}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PODD="$ROOT/$BUILD/podd"
PODCTL="$ROOT/$BUILD/podctl"
PY=/usr/bin/python3
T=$(mktemp -d "${TMPDIR:-/tmp}/podd-test.XXXXXX")
PODD_PID=""
FAILS=0

cleanup () {
    stop_podd
    [ "${KEEP:-}" = 1 ] || rm -rf "$T"
}
trap cleanup EXIT

ok ()     { echo "ok - $*"; }
not_ok () { echo "not ok - $*"; FAILS=$((FAILS + 1)); }

free_port () {
    $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# make_config [extra sed expressions...]: test config from the shipped demo
make_config () {
    PORT=$(free_port)
    EP="tcp://127.0.0.1:$PORT"
    mkdir -p "$T/keys" "$T/certs"
    sed -e "s|endpoint = .*|endpoint = \"$EP\"|" \
        -e "s|database = .*|database = \"$T/podd.db\"|" \
        -e "s|certs = .*|certs = \"$T/certs\"|" \
        -e "s|server-cert = .*|server-cert = \"$T/keys/podd.cert\"|" \
        -e "s|heartbeat = .*|heartbeat = 200|" \
        -e "s|client-timeout = .*|client-timeout = 1000|" \
        -e "s|spool = .*|spool = \"$T/spool\"|" \
        "$@" "$ROOT/config/podd.conf" > "$T/podd.conf"
    # the practice standards and bank holidays live beside podd.conf
    cp "$ROOT/config/standards.conf" "$ROOT/config/bank-holidays.conf" "$T/" 2>/dev/null
}

# keygen HANDLE...: member keypairs, public certs registered with podd
keygen () {
    for h in "$@"; do
        [ -f "$T/keys/$h.cert" ] && continue
        "$PODCTL" keygen "$h" --dir "$T/keys" > /dev/null 2>&1 || { not_ok "keygen $h"; return 1; }
        cp "$T/keys/$h.cert" "$T/certs/"
    done
}

start_podd () {
    # the log is appended to across restarts: wait for a new "serving on"
    # (PODD_START_WAIT tenths of a second; tests/valgrind.sh raises it)
    local before
    before=$(grep -c "serving on" "$T/podd.log" 2>/dev/null)
    "$PODD" -f -c "$T/podd.conf" >> "$T/podd.log" 2>&1 &
    PODD_PID=$!
    for _ in $(seq 1 "${PODD_START_WAIT:-100}"); do
        [ -f "$T/keys/podd.cert" ] && [ "$(grep -c "serving on" "$T/podd.log" 2>/dev/null)" -gt "${before:-0}" ] && return 0
        kill -0 "$PODD_PID" 2>/dev/null || { cat "$T/podd.log"; return 1; }
        sleep 0.1
    done
    cat "$T/podd.log"
    return 1
}

stop_podd () {
    if [ -n "$PODD_PID" ] && kill -0 "$PODD_PID" 2>/dev/null; then
        kill -TERM "$PODD_PID"
        wait "$PODD_PID" 2>/dev/null
        PODD_STATUS=$?
    fi
    PODD_PID=""
}

kill9_podd () {
    [ -n "$PODD_PID" ] && kill -KILL "$PODD_PID" 2>/dev/null
    wait "$PODD_PID" 2>/dev/null
    PODD_PID=""
}

alive () { [ -n "$PODD_PID" ] && kill -0 "$PODD_PID" 2>/dev/null; }

# pc HANDLE ARGS...: podctl as that member (PODCTL_TIMEOUT seconds, default
# 5; tests/valgrind.sh raises it)
pc () {
    local who=$1; shift
    "$PODCTL" -e "$EP" -k "$T/keys/$who.cert" -s "$T/keys/podd.cert" -t "${PODCTL_TIMEOUT:-5}" "$@"
}

# watch_bg HANDLE OUTFILE ARGS...: podctl watch in the background (podctl
# itself, so that W is its pid and `kill $W` stops it)
watch_bg () {
    local who=$1 out=$2; shift 2
    "$PODCTL" -e "$EP" -k "$T/keys/$who.cert" -s "$T/keys/podd.cert" -t "${PODCTL_TIMEOUT:-5}" watch "$@" > "$out" 2>/dev/null &
    W=$!
}

# expect_ok DESC CMD...: exit 0
expect_ok () {
    local desc=$1; shift
    if OUT=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc (exit $?): $OUT"; fi
}

# expect_out DESC REGEX CMD...: exit 0 and output matches
expect_out () {
    local desc=$1 re=$2; shift 2
    if OUT=$("$@" 2>&1) && printf '%s\n' "$OUT" | grep -Eq -- "$re"; then ok "$desc"
    else not_ok "$desc: wanted /$re/, got: $OUT"; fi
}

# expect_err DESC STATUS CMD...: exit 2 with that status code in stderr
expect_err () {
    local desc=$1 code=$2; shift 2
    OUT=$("$@" 2>&1); local rc=$?
    if [ $rc -eq 2 ] && printf '%s\n' "$OUT" | grep -q -- "$code"; then ok "$desc"
    else not_ok "$desc: wanted exit 2 with $code, got exit $rc: $OUT"; fi
}

# check DESC CONDITION...: a shell test
check () {
    local desc=$1; shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

finish () {
    if alive; then ok "podd still serving at the end"; else not_ok "podd died: $(tail -5 "$T/podd.log")"; fi
    stop_podd
    if [ "${PODD_STATUS:-0}" -eq 0 ]; then ok "podd stopped cleanly on SIGTERM"
    else not_ok "podd exit status ${PODD_STATUS} on SIGTERM: $(tail -20 "$T/podd.log")"; fi
    if grep -qE "ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:" "$T/podd.log"; then
        not_ok "sanitizer report in podd.log: $(grep -A20 -E 'Sanitizer|runtime error' "$T/podd.log" | head -30)"
    fi
}
