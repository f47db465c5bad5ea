# Mailer: the podd_mailer actor (tests/mailer_driver) against a real SMTP
# server (tests/smtp_server.py, aiosmtpd on 127.0.0.1) that misbehaves on
# request. Session reuse, byte-identical delivery, per-recipient classes,
# server down, hanging and garbage servers, $TERM mid-batch, CR/LF in
# addresses, STARTTLS required, AUTH. Also prints (never asserts) the drain
# rate with and without session reuse. podd itself is not started.
. "$(dirname "$0")/../lib.sh"

DRIVER="$ROOT/$BUILD/tests/mailer_driver"
SMTPD="$ROOT/tests/smtp_server.py"
SERVER_PIDS=""
RUN=0

stop_servers () {
    for pid in $SERVER_PIDS; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    SERVER_PIDS=""
}
trap 'stop_servers; cleanup' EXIT

[ -x "$DRIVER" ] || { not_ok "no $DRIVER (make SAN=1 all)"; exit 1; }
$PY -c 'import aiosmtpd' 2>/dev/null || { not_ok "python3-aiosmtpd missing for $PY"; exit 1; }

# server NAME ARGS...: start smtp_server.py with its files in $T/NAME; sets SPORT
server () {
    local name=$1; shift
    local dir="$T/$name" pid
    for _ in 1 2 3; do                  # the free port may be taken meanwhile
        SPORT=$(free_port)
        $PY "$SMTPD" --port "$SPORT" --dir "$dir" "$@" 2>> "$T/$name.log" &
        pid=$!
        for _ in $(seq 1 50); do
            [ -f "$dir/ready" ] && { SERVER_PIDS="$SERVER_PIDS $pid"; return 0; }
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    done
    not_ok "smtp_server.py $name starts: $(tail -3 "$T/$name.log")"
    return 1
}

# drive ARGS...: run the driver (bounded), output in OUT, exit status in RC,
# wall time in ms in MS; a sanitizer report is a failure of its own
drive () {
    RUN=$((RUN + 1))
    local err="$T/driver-$RUN.err" t0 t1
    t0=$(date +%s%N)
    OUT=$(timeout 120 "$DRIVER" "$@" 2> "$err"); RC=$?
    t1=$(date +%s%N)
    MS=$(( (t1 - t0) / 1000000 ))
    if grep -qE "ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:" "$err"; then
        not_ok "sanitizer report from mailer_driver $*: $(grep -A15 -E 'Sanitizer|runtime error' "$err" | head -25)"
    fi
}

# verdict DESC: ok or not ok from the status of the command just before
verdict () { if [ $? -eq 0 ]; then ok "$1"; else not_ok "$1"; fi; }
# verdict_results DESC: as verdict, and a failure shows the driver's RESULT lines
verdict_results () {
    if [ $? -eq 0 ]; then ok "$1"
    else not_ok "$1 (exit $RC): $(printf '%s\n' "$OUT" | grep '^RESULT' | tr '\n' '|')"; fi
}
lines () { printf '%s\n' "$OUT" | grep -c -- "$1"; }
field () { printf '%s\n' "$OUT" | sed -n "s/^summary .*$1=\([0-9.]*\).*/\1/p"; }
connections () { cat "$T/$1/connections" 2>/dev/null || echo 0; }
delivered () { find "$T/$1" -name 'msg-*.eml' | wc -l; }
sums () { (cd "$1" && find . -name "$2" -exec sha256sum {} + | cut -d' ' -f1 | sort); }

ALICE=alice.tm@pod-north.example
BEN=ben.sp@pod-north.example
CAROL=carol.sw@pod-north.example
DANA=dana.coord@pod-north.example

# 1. Twenty messages, one batch: one connection, byte-identical
server reuse || exit 1
mkdir -p "$T/sent20"
drive -s "127.0.0.1:$SPORT" -t 5 -n 20 -r $ALICE -r $BEN -o "$T/sent20"
[ $RC -eq 0 ] && [ "$(lines '^RESULT .* sent 250 ')" -eq 40 ] && [ "$(field results)" = 20 ]
verdict "20 messages x 2 recipients all sent (exit $RC)"
check "one SMTP connection for the batch of 20 (saw $(connections reuse))" [ "$(connections reuse)" = 1 ]
check "20 messages arrived" [ "$(delivered reuse)" -eq 20 ]
[ "$(sums "$T/sent20" '*.eml')" = "$(sums "$T/reuse" 'msg-*.eml')" ]
verdict "every message arrived byte-identical (CRLF, dot lines)"

# 2. 550 and 451 for some recipients of a message, the others delivered
server picky --reject $CAROL --defer $DANA || exit 1
drive -s "127.0.0.1:$SPORT" -t 5 -n 2 -r $ALICE -r $CAROL -r $DANA -r $BEN
check "550 recipient is failed with the server's text" \
    [ "$(lines "^RESULT [12] failed 550 $CAROL .*Recipient address rejected")" -eq 2 ]
check "451 recipient is retry" [ "$(lines "^RESULT [12] retry 451 $DANA ")" -eq 2 ]
[ "$(lines "^RESULT [12] sent 250 $ALICE ")" -eq 2 ] && [ "$(lines "^RESULT [12] sent 250 $BEN ")" -eq 2 ]
verdict_results "the other recipients of the same messages are sent"
check "the server delivered to the accepted recipients only" \
    [ "$(cat "$T"/picky/msg-*.rcpt | sort -u | tr '\n' ' ')" = "$ALICE $BEN " ]

# 3. Server down: connection refused, all retry, quickly
DOWN=$(free_port)
drive -s "127.0.0.1:$DOWN" -t 5 -n 3 -r $ALICE -r $BEN
[ $RC -eq 0 ] && [ "$(lines '^RESULT .* retry 0 ')" -eq 6 ] && [ "$(lines ' sent ')" -eq 0 ]
verdict "server down: all 6 recipients retry (exit $RC): $(printf '%s\n' "$OUT" | grep -m1 '^RESULT')"
check "server down: answered quickly (${MS} ms)" [ "$MS" -lt 3000 ]

# 4. Hanging server: retry after the 2 s timeout; $TERM still answered
for phase in greeting data; do
    server "hang-$phase" --hang $phase --hang-seconds 60 || exit 1
    drive -s "127.0.0.1:$SPORT" -t 2 -n 2 -r $ALICE
    elapsed=$(field elapsed); term=$(printf '%s\n' "$OUT" | sed -n 's/^term //p')
    [ $RC -eq 0 ] && [ "$(lines '^RESULT .* retry ')" -eq 2 ]
    verdict "server hanging at $phase: both retry (exit $RC): $(printf '%s\n' "$OUT" | grep -m1 '^RESULT')"
    check "server hanging at $phase: results after the timeout (${elapsed}s, 2..9)" \
        $PY -c "import sys; sys.exit(not 2.0 <= float('${elapsed:-0}') < 9.0)"
    [ -n "$term" ] && [ "$term" -lt 1000 ]
    verdict "server hanging at $phase: then the actor answers \$TERM (${term} ms)"
done

# 5. $TERM mid-batch: within the timeout, nothing half-delivered
server term-hang --hang mail --hang-seconds 60 || exit 1
drive -s "127.0.0.1:$SPORT" -t 2 -n 5 -r $ALICE -x 300
term=$(printf '%s\n' "$OUT" | sed -n 's/^term //p')
[ $RC -eq 0 ] && [ -n "$term" ] && [ "$term" -lt 2000 ]
verdict "\$TERM while the server hangs: the actor stops within the 2 s timeout (${term} ms)"
server term-busy || exit 1
mkdir -p "$T/sent-term"
drive -s "127.0.0.1:$SPORT" -t 2 -n 3000 -k 4000 -r $ALICE -x 300 -o "$T/sent-term"
term=$(printf '%s\n' "$OUT" | sed -n 's/^term //p')
sleep 0.5     # let the server finish writing what it accepted
got=$(delivered term-busy)
[ $RC -eq 0 ] && [ -n "$term" ] && [ "$term" -lt 2000 ] && [ "$got" -lt 3000 ]
verdict "\$TERM mid-batch of 3000: the actor stops within the 2 s timeout (${term} ms, $got delivered)"
bad=0
for f in "$T"/term-busy/msg-*.eml; do
    [ -e "$f" ] || continue
    n=$(sed -n 's/^Subject: Mailer test \([0-9]*\) of.*/\1/p' "$f" | tr -d '\r')
    cmp -s "$f" "$T/sent-term/$n.eml" || bad=$((bad + 1))
done
check "\$TERM mid-batch: no truncated or altered message delivered ($bad bad of $got)" [ "$bad" -eq 0 ]
# connect() itself blocked (a full listen backlog drops our SYN): $TERM
# gives up on the session thread after the timeout and still exits cleanly
BLACKHOLE=$(free_port)
$PY -c '
import socket, sys, time
port = int(sys.argv[1])
s = socket.socket(); s.bind(("127.0.0.1", port)); s.listen(0)
held = []
for _ in range(8):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(("127.0.0.1", port))
    except BlockingIOError: pass
    held.append(c)
time.sleep(0.3)
open(sys.argv[2], "w").write("ready\n")
time.sleep(60)' "$BLACKHOLE" "$T/blackhole.ready" 2> "$T/blackhole.log" &
SERVER_PIDS="$SERVER_PIDS $!"
for _ in $(seq 1 50); do [ -f "$T/blackhole.ready" ] && break; sleep 0.1; done
drive -s "127.0.0.1:$BLACKHOLE" -t 1 -n 2 -r $ALICE -x 300
term=$(printf '%s\n' "$OUT" | sed -n 's/^term //p')
[ $RC -eq 0 ] && [ -n "$term" ] && [ "$term" -lt 1500 ]
verdict "\$TERM while connect() blocks: the actor stops after the 1 s timeout (${term} ms, exit $RC)"

# 6. Garbage from the server: retry or failed, never sent, never a crash
for phase in greeting ehlo rcpt data data-250 binary; do
    server "garbage-$phase" --garbage $phase --hang-seconds 5 || exit 1
    drive -s "127.0.0.1:$SPORT" -t 2 -n 2 -r $ALICE -r $BEN
    [ $RC -eq 0 ] && [ "$(lines '^RESULT .* \(retry\|failed\) ')" -eq 4 ] && [ "$(lines ' sent ')" -eq 0 ]
    verdict "garbage at $phase: 4 results, none sent (exit $RC): $(printf '%s\n' "$OUT" | grep -m1 '^RESULT')"
done

# 7. CR/LF and other junk in addresses: failed, never reaches the server
server crlf || exit 1
drive -s "127.0.0.1:$SPORT" -t 5 -n 1 -r $ALICE -r 'bob@pod-north.example\r\nRCPT TO:<injected@evil.example>' \
    -r 'eve @pod-north.example' -r 'mallory@pod-north.example\x01'
[ "$(lines '^RESULT 1 failed 0 bob@pod-north.example\\r\\nRCPT TO:<injected@evil.example> invalid recipient')" -eq 1 ] \
    && [ "$(lines "^RESULT 1 sent 250 $ALICE ")" -eq 1 ]
verdict_results "recipient with CR/LF is failed, the valid one sent"
check "recipients with a space or a control character are failed" [ "$(lines '^RESULT 1 failed 0 ')" -eq 3 ]
drive -s "127.0.0.1:$SPORT" -t 5 -n 1 -r $ALICE -f 'pod-north@pod-north.example\r\nRCPT TO:<injected@evil.example>'
check "sender with CR/LF: the message is failed" \
    [ "$(lines "^RESULT 1 failed 0 $ALICE invalid envelope sender")" -eq 1 ]
! grep -q "evil.example" "$T/crlf/commands.log"
verdict "the server never saw the injected address"
check "no connection for a batch with nothing valid (connections: $(connections crlf))" [ "$(connections crlf)" = 1 ]

# 8. STARTTLS required, server without it: retry, nothing sent in clear
server notls || exit 1
drive -s "127.0.0.1:$SPORT" -t 5 -n 1 -r $ALICE -T required
[ "$(lines "^RESULT 1 retry ")" -eq 1 ] && [ "$(delivered notls)" -eq 0 ]
verdict "STARTTLS required but not offered: retry, nothing delivered: $(printf '%s\n' "$OUT" | grep -m1 '^RESULT')"

# 9. AUTH
server auth --auth podd:s3cret || exit 1
drive -s "127.0.0.1:$SPORT" -t 5 -n 2 -r $ALICE -u podd -p s3cret
check "AUTH with the right password: sent" [ "$(lines "^RESULT [12] sent 250 ")" -eq 2 ]
drive -s "127.0.0.1:$SPORT" -t 5 -n 2 -r $ALICE -u podd -p wrong
[ "$(lines "^RESULT [12] retry ")" -eq 2 ] && [ "$(delivered auth)" -eq 2 ]
verdict "AUTH with a wrong password: retry, not failed: $(printf '%s\n' "$OUT" | grep -m1 '^RESULT')"

# 10. Drain rate: 200 messages in one session vs one session per message
server rate-one || exit 1
drive -s "127.0.0.1:$SPORT" -t 5 -n 200 -r $ALICE -q
one_rate=$(field rate); one_s=$(field elapsed)
[ "$(field sent)" = 200 ] && [ "$(connections rate-one)" = 1 ]
verdict "200 messages in one batch: all sent over $(connections rate-one) connection"
server rate-each || exit 1
drive -s "127.0.0.1:$SPORT" -t 5 -n 200 -b 1 -r $ALICE -q
each_rate=$(field rate); each_s=$(field elapsed)
[ "$(field sent)" = 200 ] && [ "$(connections rate-each)" = 200 ]
verdict "200 batches of 1: all sent over $(connections rate-each) connections"
ratio=$($PY -c "print('%.1f' % (float('${one_rate:-0}') / max(float('${each_rate:-0}'), 0.001)))")
echo "# drain rate, 200 messages ($BUILD): one session ${one_rate} msg/s (${one_s} s)," \
     "one session per message ${each_rate} msg/s (${each_s} s), reuse ratio ${ratio}x"

stop_servers
[ $FAILS -eq 0 ]
