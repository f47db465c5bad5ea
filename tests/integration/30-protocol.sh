# Protocol: malformed and refused requests from an independent Python
# client (tests/podp_client.py, python3-zmq). Each gets an error REPLY
# with the right status code, echoing the request's rid wherever the rid
# can be read; the same connection is then served a PING; and nothing
# changed in the store.
. "$(dirname "$0")/../lib.sh"

make_config
keygen alice.tm dev.sw erin.sw
start_podd || { not_ok "podd starts"; exit 1; }

CLIENT="$ROOT/tests/podp_client.py"
# py WHO SUBCOMMAND ARGS...: the Python client as that member (WHO may be a key path)
py () {
    local who=$1; shift
    local key="$T/keys/$who.cert"
    case $who in */*) key=$who ;; esac
    "$PY" "$CLIENT" -e "$EP" -k "$key" -s "$T/keys/podd.cert" -t 5 "$@"
}
# jf FIELD: a field of the JSON in $OUT ("" when absent)
jf () {
    "$PY" -c 'import json,sys
try: d=json.loads(sys.argv[1])
except ValueError: sys.exit(0)
for k in sys.argv[2].split("."):
    d = d.get(k) if isinstance(d, dict) else (d[int(k)] if isinstance(d, list) else None)
print("" if d is None else d)' "$OUT" "$1"
}

# expect_reply DESC STATUS RID WHO SUBCOMMAND ARGS...: a REPLY with that
# status; RID "-" means the rid cannot be read back from the request (so
# none may be echoed), otherwise the reply must echo exactly RID; and a
# PING on the same connection afterwards is answered 200.
expect_reply () {
    local desc=$1 status=$2 rid=$3 who=$4 sub=$5; shift 5
    OUT=$(py "$who" "$sub" --ping "$@" 2>"$T/client.err"); local rc=$?
    [ $rc -eq 0 ] || OUT="$OUT $(cat "$T/client.err")"
    local got_status got_rid got_ping
    got_status=$(jf status); got_rid=$(jf rid); got_ping=$(jf ping)
    if [ $rc -ne 0 ]; then not_ok "$desc: client exit $rc: $OUT"; return; fi
    if [ "$got_status" != "$status" ]; then not_ok "$desc: wanted $status, got: $OUT"; return; fi
    if [ "$rid" = - ] && [ -n "$got_rid" ]; then not_ok "$desc: echoed a rid it cannot have read: $OUT"; return; fi
    if [ "$rid" != - ] && [ "$got_rid" != "$rid" ]; then not_ok "$desc: rid $rid not echoed: $OUT"; return; fi
    if [ "$got_ping" != 200 ]; then not_ok "$desc: PING on the same connection afterwards got '$got_ping'"; return; fi
    ok "$desc ($status$( [ "$rid" != - ] && echo ", rid $rid echoed"), then PING ok)"
}

# Set-up through the Python client: a case led by dev.sw, two tasks offered to dev.sw
OUT=$(py alice.tm request CASE-OPEN '{"ref":"NC-1","kind":"child","lead":"dev.sw","coworkers":["erin.sw"]}')
check "CASE-OPEN from the Python client is 201" [ "$(jf status)" = 201 ]
check "the reply echoes the client's rid" [ "$(jf rid)" = 1 ]
OUT=$(py alice.tm request TASK-NEW '{"case":"NC-1","kind":"statutory-visit","title":"Statutory visit"}' --rid 4242)
T1=$(jf data.id)
check "TASK-NEW is 201 and echoes rid 4242" [ "$(jf status)" = 201 ] && [ "$(jf rid)" = 4242 ]
check "task $T1 offered to dev.sw" [ "$(jf data.assignee)" = dev.sw ]
OUT=$(py alice.tm request TASK-NEW '{"case":"NC-1","kind":"general","title":"Second task"}')
T2=$(jf data.id)
check "second task $T2 created" [ "$(jf status)" = 201 ]

# snapshot: CASE-LIST / TASK-LIST counts over the protocol, row counts in the store
snapshot () {
    local c t
    OUT=$(py alice.tm request CASE-LIST '{"status":"all"}'); c=$("$PY" -c 'import json,sys; print(len(json.loads(sys.argv[1])["data"]["items"]))' "$OUT")
    OUT=$(py alice.tm request TASK-LIST '{"scope":"pod"}');  t=$("$PY" -c 'import json,sys; print(len(json.loads(sys.argv[1])["data"]["items"]))' "$OUT")
    echo "cases=$c tasks=$t $(sqlite3 "$T/podd.db" "SELECT 'rows', (SELECT COUNT(*) FROM cases), (SELECT COUNT(*) FROM tasks), (SELECT COUNT(*) FROM members), (SELECT COUNT(*) FROM chronology), (SELECT COUNT(*) FROM task_history), (SELECT COUNT(*) FROM mailbox), (SELECT COUNT(*) FROM mailbox WHERE acked IS NOT NULL), (SELECT COUNT(*) FROM audit WHERE action <> 'refused'), (SELECT group_concat(state || version, ',') FROM tasks)")"
}
BEFORE=$(snapshot)
check "snapshot has 1 case and 2 tasks ($BEFORE)" [ "${BEFORE%% rows*}" = "cases=1 tasks=2" ]

# Framing
expect_reply "unknown command is 405"              405 101 alice.tm raw -- 'PODP/1' 'NOPE' '{"rid":101}'
expect_reply "a server-side command sent to podd is 405" 405 102 alice.tm raw -- 'PODP/1' 'REPLY' '{"rid":102,"status":200,"reason":"OK"}'
expect_reply "signature PODP/2 is 426"             426 103 alice.tm raw -- 'PODP/2' 'PING' '{"rid":103}'
expect_reply "a bad signature is 400"              400 104 alice.tm raw -- 'HTTP/1.1' 'PING' '{"rid":104}'
expect_reply "an empty signature frame is 400"     400 105 alice.tm raw -- '' 'PING' '{"rid":105}'
expect_reply "a malformed command token is 400"    400 106 alice.tm raw -- 'PODP/1' 'ping' '{"rid":106}'
expect_reply "2 frames is 400"                     400 -   alice.tm raw -- 'PODP/1' 'PING'
expect_reply "1 frame is 400"                      400 -   alice.tm raw -- 'PODP/1'
expect_reply "4 frames is 400"                     400 -   alice.tm raw -- 'PODP/1' 'PING' '{"rid":107}' '{}'
expect_reply "an empty body frame is 400"          400 -   alice.tm raw -- 'PODP/1' 'PING' ''

# Body
expect_reply "a body that is not JSON is 400"      400 -   alice.tm raw -- 'PODP/1' 'PING' 'hello'
expect_reply "truncated JSON is 400"               400 -   alice.tm raw -- 'PODP/1' 'PING' '{"rid":108'
expect_reply "a JSON array body is 400"            400 -   alice.tm raw -- 'PODP/1' 'PING' '[{"rid":109}]'
expect_reply "a JSON string body is 400"           400 -   alice.tm raw -- 'PODP/1' 'PING' '"rid"'
expect_reply "duplicate keys are 400"              400 -   alice.tm raw -- 'PODP/1' 'PING' '{"rid":110,"rid":110}'
# Raw invalid UTF-8 makes the whole body invalid JSON (RFC 8259 s8.1), so no rid is readable
expect_reply "invalid UTF-8 (0xFF) in a field is 400"       400 - alice.tm raw -- 'PODP/1' 'CASE-OPEN' '{"rid":111,"ref":"NC-\xff","kind":"child"}'
expect_reply "overlong UTF-8 (C0 AF) in a field is 400"     400 - alice.tm raw -- 'PODP/1' 'CASE-OPEN' '{"rid":112,"ref":"NC-\xc0\xaf","kind":"child"}'
expect_reply "a UTF-8 surrogate (ED A0 80) is 400"          400 - alice.tm raw -- 'PODP/1' 'CASE-OPEN' '{"rid":113,"ref":"NC-\xed\xa0\x80","kind":"child"}'
expect_reply "truncated UTF-8 (E2 82) is 400"               400 - alice.tm raw -- 'PODP/1' 'MEMBER-ADD' '{"rid":114,"handle":"lee.sw","name":"L\xe2\x82","email":"lee@pod-north.example","role":"social-worker","pod":"north"}'
expect_reply "valid UTF-8 is accepted (PING with rid)"      200 115 alice.tm raw -- 'PODP/1' 'PING' '{"rid":115}'
expect_reply "an escaped lone surrogate (\\ud800) is 400"  400 - alice.tm raw -- 'PODP/1' 'CASE-SHOW' '{"rid":116,"ref":"\\ud800"}'
expect_reply "a code point above U+10FFFF is 400"          400 - alice.tm raw -- 'PODP/1' 'CASE-SHOW' '{"rid":117,"ref":"\xf4\x90\x80\x80"}'
expect_reply "a byte order mark is 400"                    400 - alice.tm raw -- 'PODP/1' 'PING' '\xef\xbb\xbf{"rid":118}'
expect_reply "trailing data after the object is 400"       400 - alice.tm raw -- 'PODP/1' 'PING' '{"rid":119} {}'
expect_reply "U+0000 in a member name (key) is 400"        400 - alice.tm raw -- 'PODP/1' 'PING' '{"rid":119,"a\u0000b":1}'
expect_reply "whitespace around the object is fine"        200 119 alice.tm raw -- 'PODP/1' 'PING' ' \r\n\t{"rid":119} \n'
OUT=$(py alice.tm raw -- 'PODP/1' 'PING' '{}' 2>&1)
check "a request without rid gets a REPLY without one" [ "$(jf status)" = 200 ] && [ -z "$(jf rid)" ]
OUT=$(py alice.tm raw -- 'PODP/1' 'HEARTBEAT' '{}' 2>&1)
check "HEARTBEAT without rid: 200 with data {watching: false} and no rid" [ "$(jf status)" = 200 ] && [ -z "$(jf rid)" ] && [ "$(jf data.watching)" = False ]

# Fields
expect_reply "an unknown field is 400"             400 120 alice.tm request PING '{"colour":"blue"}' --rid 120
expect_reply "an unknown field on TASK-NEW is 400" 400 121 alice.tm request TASK-NEW '{"case":"NC-1","kind":"general","title":"x","assignee":"dev.sw"}' --rid 121
expect_reply "a missing required field is 400"    400 122 alice.tm request CASE-SHOW '{}' --rid 122
expect_reply "TASK-NEW without title is 400"       400 123 alice.tm request TASK-NEW '{"case":"NC-1","kind":"general"}' --rid 123
expect_reply "task as a string is 400"            400 124 dev.sw   request TASK-ACCEPT "{\"task\":\"$T1\"}" --rid 124
expect_reply "task as a float is 400"             400 125 dev.sw   request TASK-ACCEPT "{\"task\":$T1.0}" --rid 125
expect_reply "case as a number is 400"            400 126 alice.tm request TASK-NEW '{"case":1,"kind":"general","title":"x"}' --rid 126
expect_reply "coworkers not an array is 400"      400 127 alice.tm request CASE-OPEN '{"ref":"NC-2","kind":"child","coworkers":"erin.sw"}' --rid 127
expect_reply "admin not a boolean is 400"         400 128 alice.tm request MEMBER-ADD '{"handle":"lee.sw","name":"Lee","email":"lee@pod-north.example","role":"social-worker","pod":"north","admin":1}' --rid 128
expect_reply "rid as a string is 400"             400 -   alice.tm raw -- 'PODP/1' 'PING' '{"rid":"129"}'
expect_reply "a negative task id is 422"          422 130 dev.sw   request TASK-ACCEPT '{"task":-1}' --rid 130
expect_reply "a task id over 2^53-1 is 422"       422 136 dev.sw   request TASK-ACCEPT '{"task":9007199254740992}' --rid 136
expect_reply "an integer with an exponent is 400" 400 137 dev.sw   raw -- 'PODP/1' 'TASK-ACCEPT' '{"rid":137,"task":1e1}'
expect_reply "null for an optional field is 400"  400 138 alice.tm request MEMBER-LIST '{"pod":null}' --rid 138
expect_reply "null for rid is 400"                400 -   alice.tm raw -- 'PODP/1' 'PING' '{"rid":null}'
expect_reply "an empty required string is 422"   422 139 alice.tm request CASE-SHOW '{"ref":""}' --rid 139

# Limits
long65=$("$PY" -c 'print("N"*65)')
long201=$("$PY" -c 'print("t"*201)')
expect_reply "a case ref over 64 octets is 413"   413 131 alice.tm request CASE-OPEN "{\"ref\":\"$long65\",\"kind\":\"child\"}" --rid 131
expect_reply "a title over 200 octets is 413"     413 132 alice.tm request TASK-NEW "{\"case\":\"NC-1\",\"kind\":\"general\",\"title\":\"$long201\"}" --rid 132
expect_reply "a 4097-octet TEXT field is 413"     413 133 alice.tm request CASE-NOTE "{\"ref\":\"NC-1\",\"text\":\"$("$PY" -c 'print("x"*4097)')\"}" --rid 133
expect_reply "65 coworkers is 413"                413 134 alice.tm request CASE-OPEN "{\"ref\":\"NC-3\",\"kind\":\"child\",\"coworkers\":$("$PY" -c 'import json; print(json.dumps(["erin.sw"]*65))')}" --rid 134
"$PY" -c 'import json,sys; sys.stdout.write(json.dumps({"rid":135,"ref":"NC-4","kind":"child","summary":"s"*(70000-60)}))' > "$T/big.json"
check "the oversized body is $(wc -c < "$T/big.json") octets (> max-body 65536)" [ "$(wc -c < "$T/big.json")" -gt 65536 ]
expect_reply "a body over max-body is 413"        413 135 alice.tm raw -- 'PODP/1' 'CASE-OPEN' "@$T/big.json"
"$PY" -c 'import sys; sys.stdout.write("x"*70000)' > "$T/big.raw"
expect_reply "70000 octets of non-JSON is 413"    413 -   alice.tm raw -- 'PODP/1' 'PING' "@$T/big.raw"

# Order of checks (PROTOCOL.md 7.2): the first failure is reported
expect_reply "order: signature before command token (426)"     426 147 alice.tm raw -- 'PODP/2' 'bad token' '{"rid":147}'
expect_reply "order: unknown command before body size (405)"   405 -   alice.tm raw -- 'PODP/1' 'NOPE' "@$T/big.raw"
expect_reply "order: unknown field before field values (400)"  400 148 alice.tm request CASE-SHOW '{"bogus":1,"ref":"a\nb"}' --rid 148
expect_reply "order: fields in table order (ref 413 before kind 400)" 413 149 alice.tm request CASE-OPEN "{\"ref\":\"$long65\",\"kind\":5}" --rid 149
expect_reply "order: fields before rid (ref 422, bad rid)"     422 -   alice.tm raw -- 'PODP/1' 'CASE-SHOW' '{"ref":"a\\nb","rid":"x"}'

# Values: CR/LF and other controls in a STRING field are 422
expect_reply "CR/LF in a case ref is 422"         422 140 alice.tm request CASE-OPEN '{"ref":"NC-5\r\nX-Injected: 1","kind":"child"}' --rid 140
expect_reply "CR/LF in a member name is 422"      422 141 alice.tm request MEMBER-ADD '{"handle":"lee.sw","name":"Lee\r\nBcc: x@y.example","email":"lee@pod-north.example","role":"social-worker","pod":"north"}' --rid 141
expect_reply "LF in a task title is 422"          422 142 alice.tm request TASK-NEW '{"case":"NC-1","kind":"general","title":"line\nbreak"}' --rid 142
expect_reply "TAB in a case ref is 422"           422 143 alice.tm request CASE-SHOW '{"ref":"NC-\t1"}' --rid 143
expect_reply "NUL in a member name is 422"        422 - alice.tm raw -- 'PODP/1' 'MEMBER-ADD' '{"handle":"lee.sw","name":"Lee\u0000x","email":"lee@pod-north.example","role":"social-worker","pod":"north"}'
# Regression: podp_peek_rid once parsed without JSON_ALLOW_NUL, so a valid
# body holding "\u0000" got its error REPLY without the rid.
expect_reply "NUL in a member name is 422 and echoes rid 144" \
                                                  422 144 alice.tm request MEMBER-ADD '{"handle":"lee.sw","name":"Lee\u0000x","email":"lee@pod-north.example","role":"social-worker","pod":"north"}' --rid 144
expect_reply "CR in a TEXT field (note) is 422"   422 145 alice.tm request CASE-NOTE '{"ref":"NC-1","text":"a\rb"}' --rid 145
expect_reply "an unknown choice (case kind) is 422" 422 146 alice.tm request CASE-OPEN '{"ref":"NC-6","kind":"adult"}' --rid 146

# Identity: a fresh CURVE keypair that podd does not know
mkdir -p "$T/stranger"
"$PY" -c 'import sys, zmq.auth; zmq.auth.create_certificates(sys.argv[1], "stranger")' "$T/stranger"
OUT=$(py "$T/stranger/stranger.key" request WHOAMI '' --rid 150 2>&1)
check "an unregistered key gets 401 with rid 150 echoed ($(jf reason))" [ "$(jf status)" = 401 ] && [ "$(jf rid)" = 150 ]
OUT=$(py "$T/stranger/stranger.key" request CASE-OPEN '{"ref":"NC-7","kind":"child"}' --rid 151 2>&1)
check "an unregistered key cannot open a case: 401" [ "$(jf status)" = 401 ] && [ "$(jf rid)" = 151 ]
# PROTOCOL.md 8.1: PING too needs a registered key
OUT=$(py "$T/stranger/stranger.key" request PING '' --rid 152 2>&1)
check "PING from an unregistered key is 401 with rid 152" [ "$(jf status)" = 401 ] && [ "$(jf rid)" = 152 ]
OUT=$(py alice.tm request PING '' 2>&1)
check "a registered member is still served after the stranger" [ "$(jf status)" = 200 ]

# Task state machine: missing reason
expect_reply "TASK-DECLINE without reason is 400" 400 160 dev.sw request TASK-DECLINE "{\"task\":$T1}" --rid 160
expect_reply "TASK-DONE without evidence is 400"  400 161 dev.sw request TASK-DONE "{\"task\":$T1}" --rid 161

AFTER=$(snapshot)
check "nothing changed after the bad requests (before: $BEFORE; after: $AFTER)" [ "$BEFORE" = "$AFTER" ]
OUT=$(py alice.tm request MEMBER-SHOW '{"member":"lee.sw"}')
check "lee.sw was never added" [ "$(jf status)" = 404 ]
OUT=$(py alice.tm request CASE-SHOW '{"ref":"NC-2"}')
check "NC-2 was never opened" [ "$(jf status)" = 404 ]

# Mailbox ACK: deliveries come from dev.sw's WATCH
OUT=$(py dev.sw watch --count 2 --no-ack --idle 3 2>/dev/null)
D1=$(printf '%s\n' "$OUT" | sed -n 1p | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["body"]["delivery"])' 2>/dev/null)
D2=$(printf '%s\n' "$OUT" | sed -n 2p | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["body"]["delivery"])' 2>/dev/null)
check "dev.sw's WATCH replays two deliveries in order ($D1, $D2)" [ -n "$D1" ] && [ -n "$D2" ] && [ "$D1" -lt "$D2" ]
D1=${D1:-1}; D2=${D2:-2}
expect_reply "ACK of an unknown delivery is 404"        404 170 dev.sw  request ACK '{"delivery":999999}' --rid 170
expect_reply "ACK of another member's delivery is 404"  404 171 erin.sw request ACK "{\"delivery\":$D1}" --rid 171
expect_reply "ACK of own delivery is 200"               200 172 dev.sw  request ACK "{\"delivery\":$D1}" --rid 172
expect_reply "double ACK is 409"                        409 173 dev.sw  request ACK "{\"delivery\":$D1}" --rid 173
expect_reply "ACK without delivery is 400"              400 174 dev.sw  request ACK '{}' --rid 174
expect_reply "ACK with delivery as a string is 400"     400 175 dev.sw  request ACK "{\"delivery\":\"$D2\"}" --rid 175
n=$(sqlite3 "$T/podd.db" "SELECT COUNT(*) FROM mailbox WHERE acked IS NOT NULL")
check "exactly one delivery is acknowledged ($n)" [ "$n" = 1 ]
OUT=$(py dev.sw watch --count 1 --no-ack --idle 3 2>/dev/null)
check "the WATCH replay now starts at delivery $D2" [ "$(printf '%s\n' "$OUT" | sed -n 1p | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["body"]["delivery"])' 2>/dev/null)" = "$D2" ]

# A pipelined mix of good and bad requests on one connection: every reply matched by rid
OUT=$("$PY" - "$CLIENT" "$EP" "$T/keys/alice.tm.cert" "$T/keys/podd.cert" <<'PYEOF'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("podp_client", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
c = m.PodpClient(sys.argv[2], sys.argv[3], sys.argv[4], timeout=5)
want = {}
for i in range(50):
    rid = 1000 + i
    if i % 3 == 0:   c.send("PING", {}, rid=rid); want[rid] = 200
    elif i % 3 == 1: c.send("CASE-SHOW", {"ref": "NC-404"}, rid=rid); want[rid] = 404
    else:            c.send("PING", {"bogus": 1}, rid=rid); want[rid] = 400
bad = []
for rid, status in want.items():
    try:
        r = c.recv_reply(rid)
        if r.get("status") != status: bad.append((rid, r))
    except m.NoAnswer:
        bad.append((rid, "no reply"))
print("ok" if not bad and not c.bad else "bad %r %r" % (bad[:3], c.bad[:3]))
PYEOF
)
check "50 pipelined good and bad requests each get their own reply by rid ($OUT)" [ "$OUT" = ok ]

finish
