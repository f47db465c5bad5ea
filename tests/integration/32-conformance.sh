# Conformance (issue 17, items 13-15 and 17): every reply echoes the
# request's rid (413 and an integer too big for the parser included);
# Europe/London input times in the clock-change gap and overlap; names
# that refuse bidirectional overrides; mail headers a client shows
# literally, in the pod's own domain; podd under systemd (sd_notify,
# watchdog, the unit file).
. "$(dirname "$0")/../lib.sh"

make_config
keygen alice.tm dev.sw erin.sw sam.tm tara.sw
start_podd || { not_ok "podd starts"; exit 1; }

CLIENT="$ROOT/tests/podp_client.py"
py () {
    local who=$1; shift
    "$PY" "$CLIENT" -e "$EP" -k "$T/keys/$who.cert" -s "$T/keys/podd.cert" -t 5 "$@"
}
# jf FIELD: a field of the JSON in $OUT ("" when absent)
jf () {
    "$PY" -c 'import json,sys
try: d=json.loads(sys.argv[1])
except ValueError: sys.exit(0)
for k in sys.argv[2].split("."):
    d = d.get(k) if isinstance(d, dict) else None
print("" if d is None else d)' "$OUT" "$1"
}
# reply DESC STATUS RID REASON-REGEX WHO SUBCOMMAND ARGS...
reply () {
    local desc=$1 status=$2 rid=$3 re=$4 who=$5; shift 5
    OUT=$(py "$who" "$@" 2>&1)
    if [ "$(jf status)" = "$status" ] && [ "$(jf rid)" = "$rid" ] && printf '%s' "$(jf reason)" | grep -Eq -- "$re"
    then ok "$desc ($status, rid $rid, $(jf reason))"
    else not_ok "$desc: wanted $status rid '$rid' /$re/, got: $OUT"; fi
}

# --- 13. rid echoed on every reply ---------------------------------------
"$PY" -c 'import json,sys; sys.stdout.write(json.dumps({"rid":501,"ref":"NC-9","kind":"child","summary":"s"*70000}))' > "$T/big.json"
reply "a body over max-body is 413 and echoes its rid" 413 501 'limit is 65536' alice.tm raw -- PODP/1 CASE-OPEN "@$T/big.json"
"$PY" -c 'import json,sys; sys.stdout.write(json.dumps({"ref":"NC-9","kind":"child","summary":"s"*70000,"rid":502}))' > "$T/big2.json"
reply "... with the rid as its last member" 413 502 'limit is 65536' alice.tm raw -- PODP/1 CASE-OPEN "@$T/big2.json"
head -c 70000 "$T/big.json" > "$T/cut.json"
reply "a cut-short body over max-body: 413, no rid" 413 '' 'limit' alice.tm raw -- PODP/1 CASE-OPEN "@$T/cut.json"
reply "an integer too big for the parser is 422 naming the field, with rid" 422 503 "field 'task': out of range" \
      dev.sw raw -- PODP/1 TASK-ACCEPT '{"rid":503,"task":123456789012345678901234567890}'
reply "a negative one too, rid after it" 422 504 "field 'task': out of range" \
      dev.sw raw -- PODP/1 TASK-ACCEPT '{"task":-123456789012345678901234567890,"rid":504}'
reply "a too-big integer in an unknown field is named too" 422 505 "field 'colour': out of range" \
      dev.sw raw -- PODP/1 PING '{"rid":505,"colour":99999999999999999999}'
reply "a too-big integer in a broken body stays 400 without rid" 400 '' 'too big integer' \
      dev.sw raw -- PODP/1 TASK-ACCEPT '{"rid":506,"task":123456789012345678901234567890'
reply "a field over its limit is 413 with rid" 413 507 "field 'ref'" \
      alice.tm request CASE-SHOW "{\"ref\":\"$("$PY" -c 'print("N"*65)')\"}" --rid 507
reply "a PING after all that is served" 200 508 'OK' alice.tm request PING --rid 508
# --- 14. input times in the clock changes (Europe/London) -----------------
OUT=$(py alice.tm request CASE-OPEN '{"ref":"NC-1","kind":"child","lead":"dev.sw"}')
check "case NC-1 opened" [ "$(jf status)" = 201 ]
reply "a due time in the spring-forward gap is 422" 422 601 "field 'due'" \
      alice.tm request TASK-NEW '{"case":"NC-1","kind":"general","title":"gap","due":"2026-03-29T01:30"}' --rid 601
reply "01:00 on that day is in the gap too" 422 602 "field 'due'" \
      alice.tm request TASK-NEW '{"case":"NC-1","kind":"general","title":"gap","due":"2026-03-29T01:00"}' --rid 602
reply "02:00 BST that day exists" 201 603 'Created' \
      alice.tm request TASK-NEW '{"case":"NC-1","kind":"general","title":"after the gap","due":"2026-03-29T02:00"}' --rid 603
check "... and is 01:00Z ($(jf data.due))" [ "$(jf data.due)" = 2026-03-29T01:00:00Z ]
reply "a time in the autumn overlap is taken" 201 604 'Created' \
      alice.tm request TASK-NEW '{"case":"NC-1","kind":"general","title":"overlap","due":"2026-10-25T01:30"}' --rid 604
check "... as its first (BST) occurrence, 00:30Z ($(jf data.due))" [ "$(jf data.due)" = 2026-10-25T00:30:00Z ]
reply "the second occurrence is given in UTC" 201 605 'Created' \
      alice.tm request TASK-NEW '{"case":"NC-1","kind":"general","title":"overlap 2","due":"2026-10-25T01:30:00Z"}' --rid 605
check "... 01:30Z ($(jf data.due))" [ "$(jf data.due)" = 2026-10-25T01:30:00Z ]
reply "a report period starting in the gap is 422" 422 606 "from" \
      alice.tm request REPORT-COMPLIANCE '{"from":"2026-03-29T01:15"}' --rid 606

# --- 14. HEARTBEAT on an expired session; one authorisation table ---------
OUT=$("$PY" - "$CLIENT" "$EP" "$T/keys/dev.sw.cert" "$T/keys/podd.cert" <<'PYEOF'
import importlib.util, json, sys, time
spec = importlib.util.spec_from_file_location("podp_client", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
c = m.PodpClient(sys.argv[2], sys.argv[3], sys.argv[4], timeout=5)
out = {}
out["watch"] = c.request("WATCH")[0]
c.send("HEARTBEAT", rid=None)
out["beat"] = c.recv_reply(rid=None)["data"]
time.sleep(1.8)                     # client-timeout is 1000 ms: the session expires
c.send("HEARTBEAT", rid=None)
out["expired"] = c.recv_reply(rid=None)
out["rewatch"] = c.request("WATCH")[0]
c.send("HEARTBEAT", rid=None)
out["again"] = c.recv_reply(rid=None)["data"]
print(json.dumps(out))
PYEOF
)
check "HEARTBEAT on a watching session: watching true ($OUT)" [ "$(jf beat.watching)" = True ]
check "HEARTBEAT after the session expired: 200, watching false" [ "$(jf expired.status)" = 200 ] && [ "$(jf expired.data.watching)" = False ]
check "after a new WATCH: watching true again" [ "$(jf rewatch)" = 200 ] && [ "$(jf again.watching)" = True ]
# Every client->server command of the codec is in the spec's grammar and in
# its one authorisation table (section 8.10), and nothing else is
OUT=$("$PY" - "$ROOT/proto/podp.c" "$ROOT/proto/PROTOCOL.md" <<'PYEOF'
import json, re, sys
code = open(sys.argv[1]).read()
table = code[code.index("s_commands [] = {"):]
cmds = set(re.findall(r'\{ "([A-Z][A-Z0-9-]*)",\s+true,', table)) | {"HEARTBEAT", "WATCH", "ACK"}
spec = open(sys.argv[2]).read()
sec = spec[spec.index("### 8.10 Authorisation"):spec.index("## 9. ")]
rows = [l for l in sec.splitlines() if l.startswith("| ") and not l.startswith("| Command") ]
in_table = set()
for r in rows:
    in_table |= set(re.findall(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+|\b(?:PING|WHOAMI|HEARTBEAT|WATCH|ACK|DIGEST|LOAD|CASELOAD|REMINDERS|BACKUP|HANDOVER|NOTICES|CONTINUITY)\b", r.split("|")[1]))
abnf = spec[spec.index("request-command ="):spec.index("server-command")]
in_abnf = set(re.findall(r'%s"([A-Z0-9-]+)"', abnf))
print(json.dumps({"code": len(cmds), "missing_table": sorted(cmds - in_table), "extra_table": sorted(in_table - cmds),
                  "missing_abnf": sorted(cmds - in_abnf), "extra_abnf": sorted(in_abnf - cmds)}))
PYEOF
)
check "the authorisation table lists all $(jf code) commands, and only those ($OUT)" [ "$(jf missing_table)" = "[]" ] && [ "$(jf extra_table)" = "[]" ]
check "the ABNF lists them all too" [ "$(jf missing_abnf)" = "[]" ] && [ "$(jf extra_abnf)" = "[]" ]
check "README points to the table" grep -q 'section 8.10 "Authorisation"' "$ROOT/README.md"

# --- 15. names, encoded-words, folded subjects, the pod's own domain -------
RLO=$(printf '\xe2\x80\xae'); LRI=$(printf '\xe2\x81\xa6'); PSEP=$(printf '\xe2\x80\xa9'); LSEP=$(printf '\xe2\x80\xa8')
reply "a member name with U+202E (right-to-left override) is 422" 422 701 "field 'name'" \
      alice.tm request MEMBER-ADD "{\"handle\":\"kit.sw\",\"name\":\"Kit ${RLO}gnorw\",\"email\":\"kit.sw@pod-north.example\",\"role\":\"social-worker\",\"pod\":\"north\"}" --rid 701
reply "a member name with U+2028 (line separator) is 422" 422 702 "field 'name'" \
      alice.tm request MEMBER-ADD "{\"handle\":\"kit.sw\",\"name\":\"Kit${LSEP}Lowry\",\"email\":\"kit.sw@pod-north.example\",\"role\":\"social-worker\",\"pod\":\"north\"}" --rid 702
reply "a partner name with U+2066 (isolate) is 422" 422 703 "field 'name'" \
      alice.tm request PARTNER-ADD "{\"agency\":\"School\",\"agency_kind\":\"school\",\"name\":\"Head ${LRI}x\",\"email\":\"h@school.example\"}" --rid 703
reply "an agency with U+2029 (paragraph separator) is 422" 422 704 "field 'agency'" \
      alice.tm request PARTNER-ADD "{\"agency\":\"School${PSEP}A\",\"agency_kind\":\"school\",\"name\":\"Head\",\"email\":\"h@school.example\"}" --rid 704
reply "a plain non-ASCII name is fine" 201 705 'Created' \
      alice.tm request MEMBER-ADD '{"handle":"kit.sw","name":"Kit Lo\u0175ri \u2019K\u2019","email":"kit.sw@pod-north.example","role":"social-worker","pod":"north"}' --rid 705
sed "s|title = \"Pod South\"|title = \"Pod ${RLO}htuoS\"|" "$T/podd.conf" > "$T/bidi.conf"
OUT=$("$PODD" -n -c "$T/bidi.conf" 2>&1)
check "podd -n refuses a pod title with U+202E ($OUT)" sh -c 'printf "%s" "$1" | grep -q "bidi.conf:.*title"' _ "$OUT"
OUT=$("$PODD" -n -c "$T/podd.conf" 2>&1)
check "... and takes the file without it ($OUT)" sh -c 'printf "%s" "$1" | grep -q "configuration OK"' _ "$OUT"

# A south meeting: a partner whose name looks like an encoded-word, and a
# long place name without spaces, non-ASCII, in the subject
EVIL='=?utf-8?q?Head_Teacher_=28verified=29?='
# (a long word of Greek: GMime alone writes it as one 121-character encoded-word)
PLACE="Δημαρχείο, ΑίθουσαΣυνεδριάσεωνΔημαρχείουΔεύτεροςΌροφος"
expect_ok "south: case SC-1" pc sam.tm case open SC-1 --kind child --lead tara.sw
expect_ok "south: a partner named like an encoded-word" pc sam.tm partner add --agency "Hill School" --agency-kind school --name "$EVIL" --email head@hill-school.example
expect_ok "... linked to SC-1" pc sam.tm partner link SC-1 head@hill-school.example
TM=$(pc sam.tm --json task new SC-1 --kind pod-meeting --title "POD" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
expect_ok "south: meeting $TM scheduled at the long place" pc sam.tm meeting schedule "$TM" --start 2026-12-15T10:00 --end 2026-12-15T11:00 --location "$PLACE" --invite head@hill-school.example
for _ in $(seq 1 50); do [ "$(ls "$T/spool"/*.eml 2>/dev/null | wc -l)" -ge 1 ] && break; sleep 0.1; done
HEADERS=$("$PY" "$ROOT/tests/check_headers.py" "$T/spool"/*.eml)
hx () { printf '%s\n' "$HEADERS" | "$PY" -c 'import json,sys
rows=[json.loads(l) for l in sys.stdin if l.strip()]
print(eval(sys.argv[1]))' "$1"; }
check "the invitation is spooled ($(hx 'len(rows)') message)" [ "$(hx 'len(rows)')" -ge 1 ]
check "a mail client shows the partner's name literally, not decoded" \
      [ "$(hx 'sum(1 for r in rows for n,a in r["to"] if a=="head@hill-school.example" and n=="=?utf-8?q?Head_Teacher_=28verified=29?=")')" = 1 ]
check "the subject decodes to the place, whole" [ "$(hx 'sum(1 for r in rows if r["subject"].endswith(", Δημαρχείο, ΑίθουσαΣυνεδριάσεωνΔημαρχείουΔεύτεροςΌροφος"))')" -ge 1 ]
check "no encoded-word is over 75 characters (longest $(hx 'max(r["longest_word"] for r in rows)'))" [ "$(hx 'max(r["longest_word"] for r in rows)')" -le 75 ]
check "... and the subject was encoded at all ($(hx 'min(r["words"] for r in rows)') words)" [ "$(hx 'min(r["words"] for r in rows)')" -ge 2 ]
check "Message-IDs use the south pod's own domain ($(hx 'sorted(set(r["message_id"] for r in rows))'))" \
      [ "$(hx 'all(r["message_id"].endswith("@pod-south.example>") for r in rows)')" = True ]
check "the meeting's UID too ($(hx 'sorted(set(r["uid"] for r in rows))'))" \
      [ "$(hx 'all(r["uid"] and r["uid"].endswith("@pod-south.example") for r in rows)')" = True ]
check "From is the south pod, by name" [ "$(hx 'all(r["from"][0][1]=="pod-south@pod-south.example" for r in rows)')" = True ]

# --- 17. podd under systemd -----------------------------------------------
# A fake NOTIFY_SOCKET: READY=1 once serving, WATCHDOG=1 every WatchdogSec/2
# from the server's loop, STOPPING=1 on SIGTERM; logs go to syslog, not stderr
stop_podd
OUT=$("$PY" "$ROOT/tests/notify_listen.py" "$T/notify.sock" --watchdog-usec 400000 --run 3 -- "$PODD" -f -c "$T/podd.conf")
nmsg () { "$PY" -c 'import json,sys,re; d=json.loads(sys.argv[1]); print(sum(1 for t,m in d["messages"] if re.search(sys.argv[2], m)))' "$OUT" "$1"; }
first () { "$PY" -c 'import json,sys,re; d=json.loads(sys.argv[1]); print(next((i for i,(t,m) in enumerate(d["messages"]) if re.search(sys.argv[2], m)), -1))' "$OUT" "$1"; }
check "READY=1 sent once podd serves ($(nmsg '^READY=1'))" [ "$(nmsg '^READY=1')" = 1 ]
n=$(nmsg '^WATCHDOG=1$')
gap=$("$PY" -c 'import json,sys,statistics; d=json.loads(sys.argv[1]); t=[t for t,m in d["messages"] if m=="WATCHDOG=1"]
print(round(statistics.median([b-a for a,b in zip(t,t[1:])]),3) if len(t)>2 else 0)' "$OUT")
check "WATCHDOG=1 sent every WatchdogSec/2 = 200 ms: $n times, median gap ${gap} s" \
      [ "$n" -ge 3 ] && "$PY" -c 'import sys; sys.exit(0 if 0.15 <= float(sys.argv[1]) <= 0.4 else 1)' "$gap"
check "STOPPING=1 sent on SIGTERM, after READY" [ "$(first '^STOPPING=1')" -gt "$(first '^READY=1')" ]
check "podd exited 0 ($(jf exit))" [ "$(jf exit)" = 0 ]
check "under systemd it logs to syslog, not stderr" sh -c '! printf "%s" "$1" | grep -q "serving on"' _ "$(jf stderr)"
OUT=$("$PY" "$ROOT/tests/notify_listen.py" "$T/notify.sock" --watchdog-usec 0 --run 1 -- "$PODD" -f -c "$T/podd.conf")
check "no watchdog asked for (WATCHDOG_USEC=0): no WATCHDOG=1, still READY" [ "$(nmsg '^WATCHDOG=1')" = 0 ] && [ "$(nmsg '^READY=1')" = 1 ]
# the unit file, with ExecStart pointing at this build
if command -v systemd-analyze > /dev/null 2>&1; then
    sed "s|/usr/local/bin/podd|$PODD|g" "$ROOT/config/podd.service" > "$T/podd.service"
    V=$(systemd-analyze verify --man=no "$T/podd.service" 2>&1); rc=$?
    check "systemd-analyze verify config/podd.service: clean (rc $rc${V:+: $V})" [ $rc -eq 0 ] && [ -z "$V" ]
else
    echo "# note: systemd-analyze not installed: config/podd.service not verified"
fi
for key in Type=notify WatchdogSec=30 ProtectSystem=strict NoNewPrivileges=yes User=podd StateDirectory=podd; do
    check "podd.service sets $key" grep -qx "$key" "$ROOT/config/podd.service"
done
MK_BUILD=""; [ "$BUILD" = build/san ] && MK_BUILD="SAN=1"
if make --no-print-directory -s -C "$ROOT" install $MK_BUILD DESTDIR="$T/dest" PREFIX=/opt/podd > "$T/install.log" 2>&1; then
    check "make install puts the unit in PREFIX/lib/systemd/system, ExecStart from PREFIX" \
        grep -qx "ExecStart=/opt/podd/bin/podd -f -c /etc/podd/podd.conf" "$T/dest/opt/podd/lib/systemd/system/podd.service"
    check "make install puts the podd user in PREFIX/lib/sysusers.d" grep -q "^u podd " "$T/dest/opt/podd/lib/sysusers.d/podd.conf"
else
    not_ok "make install: $(tail -5 "$T/install.log")"
fi
start_podd || { not_ok "podd restarts"; exit 1; }

finish
