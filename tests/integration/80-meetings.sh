# Partners, meetings, invites and replies end to end: podd on a test clock
# with a real SMTP server (aiosmtpd). Partners (agencies' contacts who
# never log in) are added and linked to a case; a stability meeting is
# scheduled, updated and cancelled, each message read field by field by two
# independent parsers (tests/check_invite.py: email module + python3-
# icalendar; tests/node/check_invite.mjs: ical.js); attendees' replies made
# by python3-icalendar (tests/make_reply.py) go in through podctl
# ingest-mail and show in MEETING-ATTENDEES, the lead worker's WATCH and the
# case chronology; bad replies and bad input are refused with nothing
# changed and nothing sent; the outcome note goes to the partners.
. "$(dirname "$0")/../lib.sh"
SMTPD="$ROOT/tests/smtp_server.py"
CHECK="$ROOT/tests/check_invite.py"
MAKE_REPLY="$ROOT/tests/make_reply.py"
NODE_DIR="$ROOT/tests/node"
SERVER_PID=""
WATCH_PIDS=""
stop_smtp () { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""; }
stop_watch () { local p; for p in $WATCH_PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; WATCH_PIDS=""; }
trap 'stop_watch; stop_smtp; cleanup' EXIT

ORGANISER="pod-north@pod-north.example"
HEAD="head@school-a.example"
NURSE="nurse@health-b.example"
NURSE_ALIAS="nurse.alt@health-b.example"
POLICE="pc.stone@police-c.example"
SIAN="sian.llyr@health-b.example"
QUOTED="pat.evans@school-a.example"
DEV="dev.sw@pod-north.example"
CHILD="Jamie"                       # in NC-1's summary: never in a message
SUMMARY="Fictional child Jamie"
MAILDIR="$T/smtp"

SPORT=$(free_port)
$PY "$SMTPD" --port "$SPORT" --dir "$MAILDIR" 2>> "$T/smtp.log" &
SERVER_PID=$!
for _ in $(seq 1 50); do [ -f "$MAILDIR/ready" ] && break; sleep 0.1; done
[ -f "$MAILDIR/ready" ] || { not_ok "smtp server starts: $(tail -3 "$T/smtp.log")"; exit 1; }

export PODD_CLOCK_FILE="$T/clock"
clock () { echo "$1" > "$PODD_CLOCK_FILE"; sleep 0.3; }
echo "2026-07-01T08:00:00Z" > "$PODD_CLOCK_FILE"

make_config -e "s|smtp = .*|smtp = \"127.0.0.1:$SPORT\"|" -e 's|starttls = .*|starttls = "off"|' \
            -e 's|retry-base = .*|retry-base = 1|'
grep -q "127.0.0.1:$SPORT" "$T/podd.conf" || not_ok "test config points podd at the test SMTP server"
keygen alice.tm dev.sw erin.sw root.admin
start_podd || { not_ok "podd starts"; exit 1; }
jget () { $PY -c 'import json,sys; d=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): d=d[k] if not k.isdigit() else d[int(k)]
print(d)' "$OUT" "$1"; }

# --- helpers ------------------------------------------------------------------
# ical.js comes from npm, pinned by tests/node/package-lock.json (as 60-invites.sh)
ensure_icaljs () {
    [ -f "$NODE_DIR/node_modules/ical.js/package.json" ] && return 0
    command -v node > /dev/null && command -v npm > /dev/null || { echo "node or npm missing" > "$T/npm.log"; return 1; }
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error < /dev/null) > "$T/npm.log" 2>&1
}
if ensure_icaljs; then HAVE_NODE=1; else HAVE_NODE=0; not_ok "ical.js available: $(tail -5 "$T/npm.log")"; fi

# fact FACTS KEY: the value of KEY in "key=value" lines
fact () { printf '%s\n' "$1" | sed -n "s/^$2=//p" | head -1; }
# expect_facts DESC FACTS key=value...: every key has that value
expect_facts () {
    local desc=$1 facts=$2; shift 2
    local bad="" pair key want got
    for pair in "$@"; do
        key=${pair%%=*}; want=${pair#*=}
        got=$(fact "$facts" "$key")
        [ "$got" = "$want" ] || bad="$bad $key='$got' (wanted '$want');"
    done
    if [ -z "$bad" ]; then ok "$desc"; else not_ok "$desc:$bad"; fi
}
# sorted LIST: a comma-separated list, sorted
sorted () { printf '%s\n' "$1" | tr ',' '\n' | sed '/^$/d' | sort | paste -sd, -; }
# in_list LIST SEP ITEM: ITEM is one of LIST's SEP-separated items
in_list () { printf '%s\n' "$1" | tr "$2" '\n' | grep -qxF -- "$3"; }
# not_matching TEXT REGEX: no line of TEXT matches (extended, case-insensitive)
not_matching () { ! printf '%s\n' "$1" | grep -Eqi -- "$2"; }
# row_has TEXT WORD1 WORD2: a line of TEXT has WORD1 and the word WORD2
row_has () { printf '%s\n' "$1" | grep -F -- "$2" | grep -qw -- "$3"; }
# count_notices TASK PARTSTAT: meeting-reply notices to dev.sw with that PARTSTAT
count_notices () { notices "$T/watch-dev.out" | grep -c "^$1 .* $2\$"; }

msg_count () { ls "$MAILDIR"/msg-*.eml 2>/dev/null | wc -l; }
scan () { $PY "$CHECK" scan "$MAILDIR"; }
# wait_msg METHOD UID SEQ: print the file(s) of that calendar message once it arrived
wait_msg () {
    local found=""
    for _ in $(seq 1 75); do
        found=$(scan | awk -v m="$1" -v u="$2" -v s="$3" '$2==m && $3==u && $4==s {print $1}')
        [ -n "$found" ] && break
        sleep 0.2
    done
    printf '%s\n' "$found" | sed '/^$/d'
}
# wait_count N: wait until at least N messages arrived
wait_count () { for _ in $(seq 1 75); do [ "$(msg_count)" -ge "$1" ] && return 0; sleep 0.2; done; return 1; }
# settle: wait until no new message arrived for a second
settle () {
    local before after
    for _ in $(seq 1 10); do
        before=$(msg_count); sleep 1; after=$(msg_count)
        [ "$before" = "$after" ] && return 0
    done
}

# expect_refused DESC STATUS-REGEX CMD...: exit 2, "podctl: STATUS Text: reason"
expect_refused () {
    local desc=$1 code=$2; shift 2
    OUT=$("$@" 2>&1); local rc=$?
    if [ $rc -eq 2 ] && printf '%s\n' "$OUT" | grep -Eq -- "podctl: ($code) [^:]+: .+"; then ok "$desc ($(printf '%s' "$OUT" | head -1))"
    else not_ok "$desc: wanted exit 2 with status $code and a reason, got exit $rc: $OUT"; fi
}

# state TASK: the meeting's sequence, status and every attendee's PARTSTAT and reply time
state () {
    pc alice.tm --json meeting attendees "$1" 2>&1 | $PY -c 'import json,sys
try:
    d = json.load(sys.stdin)
except Exception as e:
    print("unreadable:", e); sys.exit(0)
print("sequence", d.get("sequence"), "status", d.get("status"), "start", d.get("start"), "end", d.get("end"), "location", d.get("location"))
for a in sorted(d.get("attendees", []), key=lambda a: a["email"]):
    print(a["email"], a["kind"], a["partstat"], a.get("replied"))'
}
chronology_count () {
    pc alice.tm --json case show "$1" | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["chronology"]))'
}
# ingest WHO FILE: podctl ingest-mail with WHO's key, the message on stdin
ingest () { pc "$1" ingest-mail < "$2"; }
# reply FILE ARGS...: a reply to the stability meeting built with python3-icalendar
reply () { local out=$1; shift; $PY "$MAKE_REPLY" "$out" --uid "$MEETING_UID" "$@" || not_ok "make_reply.py $*"; }
# notices FILE: the meeting-reply notices in a --json watch output, "task attendee partstat"
notices () {
    $PY -c 'import json,sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        d = json.loads(line)
    except Exception:
        continue
    if isinstance(d, dict) and d.get("kind") == "meeting-reply":
        x = d.get("data") or {}
        print(x.get("task"), str(x.get("attendee", "")).lower(), x.get("partstat"))' "$1"
}

# check_calendar NAME FILE METHOD SEQ STATUS LOCAL-START UTC-START UTC-END ATTENDEES:
# one calendar message, field by field, by both parsers
check_calendar () {
    local name=$1 eml=$2 method=$3 seq=$4 status=$5 local=$6 utc=$7 end_utc=$8 attendees=$9
    local PYF NDF rcpt
    if PYF=$($PY "$CHECK" invite "$eml" --forbid "$CHILD" --forbid "NC-1" --forbid "$SUMMARY" 2>&1); then
        ok "$name: python3-icalendar reads it"
    else
        not_ok "$name: check_invite.py failed: $PYF"
    fi
    expect_facts "$name (python): multipart/alternative, text/plain first, inline base64 text/calendar; method=$method" "$PYF" \
        parts=multipart/alternative,text/plain,text/calendar text_plain_first=yes calendar_parts=1 \
        calendar_encoding=base64 calendar_disposition=none mime_method="$method" mime_charset=UTF-8 \
        crlf=yes ascii=yes mime_version=1.0
    expect_facts "$name (python): METHOD:$method in the body equals the MIME method; UID, SEQUENCE $seq, STATUS:$status" "$PYF" \
        method="$method" version=2.0 vevents=1 uid="$MEETING_UID" sequence="$seq" status="$status"
    expect_facts "$name (python): $local Europe/London = $utc (by the TZID and by the shipped VTIMEZONE)" "$PYF" \
        vtimezones=1 tzids=Europe/London dtstart_tzid=Europe/London dtstart_local="$local" \
        dtstart_utc="$utc" dtstart_utc_vtimezone="$utc" dtend_utc="$end_utc" location="Pod North office, Room 2"
    local n; n=$(printf '%s\n' "$attendees" | awk -F, '{print NF}')
    expect_facts "$name (python): organiser the pod mailbox, From the pod; $n attendees, every one RSVP=TRUE" "$PYF" \
        organiser="$ORGANISER" from="$ORGANISER" \
        "rsvp=$(printf 'TRUE%.0s,' $(seq 1 "$n") | sed 's/,$//')"
    check "$name (python): attendees are $attendees ($(fact "$PYF" attendees))" \
        [ "$(sorted "$(fact "$PYF" attendees)")" = "$(sorted "$attendees")" ]
    check "$name: To/Cc recipients are the attendees, not the organiser ($(fact "$PYF" recipients))" \
        [ "$(sorted "$(fact "$PYF" recipients)")" = "$(sorted "$attendees")" ]
    rcpt=$(paste -sd, "${eml%.eml}.rcpt")
    check "$name: SMTP envelope recipients are the attendees, never the organiser ($rcpt)" \
        [ "$(sorted "$rcpt")" = "$(sorted "$attendees")" ]
    expect_facts "$name: no child name or case reference anywhere (subject '$(fact "$PYF" subject)')" "$PYF" forbidden_found=none
    LAST_PYF=$PYF
    [ "$HAVE_NODE" = 1 ] || return 0
    if NDF=$(node "$NODE_DIR/check_invite.mjs" "$eml" 2>&1); then ok "$name: ical.js reads it"
    else not_ok "$name: check_invite.mjs failed: $NDF"; fi
    expect_facts "$name (ical.js): inline base64 text/calendar, METHOD:$method in both, SEQUENCE $seq, STATUS:$status" "$NDF" \
        parts=multipart/alternative,text/plain,text/calendar calendar_parts=1 calendar_encoding=base64 \
        calendar_disposition=none mime_method="$method" mime_charset=UTF-8 method="$method" ics_crlf=yes \
        version=2.0 vevents=1 uid="$MEETING_UID" sequence="$seq" status="$status"
    expect_facts "$name (ical.js): $local Europe/London resolved by the shipped VTIMEZONE = $utc" "$NDF" \
        vtimezones=1 tzids=Europe/London dtstart_tzid=Europe/London dtstart_local="$local" \
        dtstart_utc="$utc" dtend_utc="$end_utc" organiser="$ORGANISER" \
        "rsvp=$(printf 'TRUE%.0s,' $(seq 1 "$n") | sed 's/,$//')"
    check "$name (ical.js): attendees are $attendees" \
        [ "$(sorted "$(fact "$NDF" attendees)")" = "$(sorted "$attendees")" ]
    expect_facts "$name: both parsers agree" "$NDF" \
        uid="$(fact "$PYF" uid)" sequence="$(fact "$PYF" sequence)" dtstart_utc="$(fact "$PYF" dtstart_utc)" \
        dtstamp="$(fact "$PYF" dtstamp)" location="$(fact "$PYF" location)" summary="$(fact "$PYF" summary)" \
        attendee_cns="$(fact "$PYF" attendee_cns)" partstat="$(fact "$PYF" partstat)"
}

# --- cases, partners ------------------------------------------------------------
# watchers run podctl itself (not the pc function, whose subshell would hide it from kill)
"$PODCTL" -e "$EP" -k "$T/keys/dev.sw.cert" -s "$T/keys/podd.cert" -t 5 --json watch \
    > "$T/watch-dev.out" 2> "$T/watch-dev.err" & WATCH_PIDS="$WATCH_PIDS $!"
"$PODCTL" -e "$EP" -k "$T/keys/erin.sw.cert" -s "$T/keys/podd.cert" -t 5 --json watch \
    > "$T/watch-erin.out" 2> "$T/watch-erin.err" & WATCH_PIDS="$WATCH_PIDS $!"
expect_ok "alice opens NC-1 (lead dev.sw)" pc alice.tm case open NC-1 --kind child --lead dev.sw --summary "$SUMMARY"
expect_ok "alice opens NC-2 (lead dev.sw)" pc alice.tm case open NC-2 --kind child --lead dev.sw --summary "Fictional child Robin"

expect_out "alice adds the school contact" "$HEAD" pc alice.tm --json partner add --agency "School A" \
    --agency-kind school --name "Morgan Head" --email "$HEAD" --role "Head teacher"
expect_out "alice adds the health contact with an alias" "$NURSE_ALIAS" pc alice.tm --json partner add \
    --agency "Health B" --agency-kind health --name "Nurse, Health B" --email "$NURSE" --role "School nurse" \
    --alias "$NURSE_ALIAS"
expect_out "alice adds the police contact" "$POLICE" pc alice.tm --json partner add --agency "Police C" \
    --agency-kind police --name "PC Lee Stone" --email "$POLICE"
expect_refused "a social worker cannot add a partner" 403 pc dev.sw partner add --agency "School A" \
    --agency-kind school --name "Someone" --email someone@school-a.example
expect_refused "an address already known is a conflict" 409 pc alice.tm partner add --agency "School A" \
    --agency-kind school --name "Morgan Head again" --email "$HEAD"
expect_refused "an agency kind outside the set is refused" 422 pc alice.tm partner add --agency "Shop" \
    --agency-kind shop --name "Shop Keeper" --email keeper@shop.example
expect_ok "alice links the school contact to NC-1" pc alice.tm partner link NC-1 "$HEAD"
expect_ok "alice links the health contact to NC-1" pc alice.tm partner link NC-1 "$NURSE"
OUT=$(pc alice.tm --json partner list --case NC-1 2>&1)
check "NC-1's partners are the school and the health contacts, not the police" $PY -c 'import json,sys
d = json.loads(sys.argv[1]); got = sorted(p["email"] for p in d["items"])
sys.exit(0 if got == sorted(sys.argv[2:]) else 1)' "$OUT" "$HEAD" "$NURSE"
OUT=$(pc alice.tm --json partner list 2>&1)
check "all partners include the police contact" $PY -c 'import json,sys
d = json.loads(sys.argv[1]); sys.exit(0 if sys.argv[2] in [p["email"] for p in d["items"]] else 1)' "$OUT" "$POLICE"

# --- tasks --------------------------------------------------------------------
new_task () {   # new_task CASE KIND: the id of a new task (accepted by its holder dev.sw)
    local out id
    out=$(pc alice.tm --json task new "$1" --kind "$2" --title "$3" --due 2026-07-15 2>&1)
    id=$(printf '%s' "$out" | $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
    [ -n "$id" ] || { echo "task new $1 $2: $out" >&2; return 1; }
    pc dev.sw task accept "$id" > /dev/null 2>&1
    echo "$id"
}
TM=$(new_task NC-1 stability-meeting "Stability meeting for $CHILD")      # the title names the child
TB=$(new_task NC-1 stability-meeting "Placement stability meeting")
TG=$(new_task NC-1 general "Send the carers' handbook")
TS=$(new_task NC-2 stability-meeting "Placement stability meeting")
TQ=$(new_task NC-2 review "Case review")
check "five tasks created ($TM $TB $TG $TS $TQ)" [ -n "$TM" -a -n "$TB" -a -n "$TG" -a -n "$TS" -a -n "$TQ" ]
OUT=$(pc alice.tm --json task show "$TM")
check "the stability meeting task $TM is dev.sw's ($(jget assignee))" [ "$(jget assignee)" = dev.sw ]

# --- schedule -----------------------------------------------------------------
settle
OUT=$(pc dev.sw --json meeting schedule "$TM" --start 2026-07-15T10:00 --end 2026-07-15T11:30 \
      --location "Pod North office, Room 2" --invite "$HEAD" --invite "$NURSE" 2>&1); rc=$?
check "dev.sw schedules the stability meeting (exit $rc)" [ $rc -eq 0 ]
MEETING_UID=$(jget uid 2>/dev/null)
check "the meeting has a UID ($MEETING_UID), SEQUENCE 0, confirmed, organised by the pod mailbox" \
    [ -n "$MEETING_UID" -a "$(jget sequence)" = 0 -a "$(jget status)" = confirmed -a "$(jget organiser)" = "$ORGANISER" ]
check "its attendees are dev.sw and the two partners, all NEEDS-ACTION" $PY -c 'import json,sys
d = json.loads(sys.argv[1]); a = d["attendees"]
ok = sorted(x["email"] for x in a) == sorted(sys.argv[2:]) and all(x["partstat"] == "NEEDS-ACTION" for x in a)
ok = ok and {x["email"]: x["kind"] for x in a}[sys.argv[2]] == "member"
sys.exit(0 if ok else 1)' "$OUT" "$DEV" "$HEAD" "$NURSE"
REQ0=$(wait_msg REQUEST "$MEETING_UID" 0)
check "the invite reached the SMTP server, one message ($(printf '%s\n' "$REQ0" | sed '/^$/d' | wc -l))" [ "$(printf '%s\n' "$REQ0" | sed '/^$/d' | wc -l)" -eq 1 ]
ATTENDEES="$DEV,$HEAD,$NURSE"
[ -n "$REQ0" ] && check_calendar "invite" "$(printf '%s\n' "$REQ0" | head -1)" REQUEST 0 CONFIRMED \
    2026-07-15T10:00:00 2026-07-15T09:00:00Z 2026-07-15T10:30:00Z "$ATTENDEES"
STAMP0=$(fact "${LAST_PYF:-}" dtstamp)
expect_refused "scheduling the same task twice is a conflict" 409 pc dev.sw meeting schedule "$TM" \
    --start 2026-07-16T10:00 --end 2026-07-16T11:00 --location "Pod North office, Room 2" --invite "$HEAD"

# --- bad input: refused, nothing sent ---------------------------------------
settle
BEFORE_BAD=$(msg_count)
STATE0=$(state "$TM")
good_schedule=(--start 2026-07-15T10:00 --end 2026-07-15T11:00 --location "Pod North office, Room 2")
expect_refused "an invite address with CR/LF is refused" "422" pc dev.sw meeting schedule "$TB" "${good_schedule[@]}" \
    --invite $'x@y.example\r\nBcc: z@evil.example'
expect_refused "a partner address with CR/LF is refused" "422" pc alice.tm partner add --agency "Evil" \
    --agency-kind other --name "Eve" --email $'eve@evil.example\r\nBcc: z@evil.example'
expect_refused "a partner name with CR/LF is refused" "422" pc alice.tm partner add --agency "Evil" \
    --agency-kind other --name $'Eve\r\nBcc: z@evil.example' --email eve@evil.example
expect_refused "a partner alias with CR/LF is refused" "422" pc alice.tm partner add --agency "Evil" \
    --agency-kind other --name "Eve" --email eve@evil.example --alias $'eve2@evil.example\nBcc: z@evil.example'
expect_refused "a partner address that is not an address is refused" "422" pc alice.tm partner add --agency "Evil" \
    --agency-kind other --name "Eve" --email 'Eve <eve@evil.example>'
expect_refused "a meeting ending before it starts is refused" 422 pc dev.sw meeting schedule "$TB" \
    --start 2026-07-15T11:00 --end 2026-07-15T10:00 --location "Pod North office, Room 2" --invite "$HEAD"
expect_refused "a location with a newline is refused" 422 pc dev.sw meeting schedule "$TB" \
    --start 2026-07-15T10:00 --end 2026-07-15T11:00 --location $'Pod North office\nX-INJ: 1' --invite "$HEAD"
expect_refused "a bad start date is refused" 422 pc dev.sw meeting schedule "$TB" \
    --start 2026-07-32T10:00 --end 2026-07-15T11:00 --location "Pod North office, Room 2" --invite "$HEAD"
expect_refused "an invite to a partner not linked to the case (police) is refused" "422|403|409" \
    pc dev.sw meeting schedule "$TB" "${good_schedule[@]}" --invite "$POLICE"
expect_refused "an invite to an unknown address is refused" "422|404" \
    pc dev.sw meeting schedule "$TB" "${good_schedule[@]}" --invite nobody@nowhere.example
expect_refused "scheduling a task that is not a meeting kind (general) is refused" "422|409" \
    pc dev.sw meeting schedule "$TG" "${good_schedule[@]}" --invite "$HEAD"
expect_refused "an update ending before it starts is refused" 422 pc dev.sw meeting update "$TM" \
    --start 2026-07-15T13:00 --end 2026-07-15T12:00
expect_refused "an update to a location with a newline is refused" 422 pc dev.sw meeting update "$TM" \
    --location $'Room 2\r\nATTENDEE:mailto:z@evil.example'
expect_refused "attendees of a task with no meeting is 404" 404 pc alice.tm meeting attendees "$TB"
settle
check "no message was sent for any refused input ($BEFORE_BAD before, $(msg_count) after)" [ "$(msg_count)" -eq "$BEFORE_BAD" ]
check "the meeting is unchanged by the refused updates" [ "$(state "$TM")" = "$STATE0" ]
OUT=$(pc alice.tm --json partner list 2>&1)
check "no partner was added by the refused input" $PY -c 'import json,sys
sys.exit(0 if all("evil" not in p["email"] for p in json.loads(sys.argv[1])["items"]) else 1)' "$OUT"

# A display name with quotes: refused, or escaped so that nothing is injected
QNAME='Pat "Q" Evans;RSVP=FALSE:mailto:z@evil.example, Bcc <z@evil.example>'
OUT=$(pc alice.tm --json partner add --agency "School A" --agency-kind school --name "$QNAME" --email "$QUOTED" 2>&1); rc=$?
if [ $rc -eq 2 ] && printf '%s' "$OUT" | grep -q "podctl: 422"; then
    ok "a partner display name with quotes is refused when added ($OUT)"
elif [ $rc -ne 0 ]; then
    not_ok "partner add with a quoted name: wanted 201 or 422, got exit $rc: $OUT"
else
    pc alice.tm partner link NC-2 "$QUOTED" > /dev/null 2>&1 || not_ok "link the quoted-name partner to NC-2"
    N0=$(msg_count)
    OUT=$(pc dev.sw --json meeting schedule "$TQ" --start 2026-07-20T10:00 --end 2026-07-20T11:00 \
          --location "Pod North office, Room 3" --invite "$QUOTED" 2>&1); rc=$?
    if [ $rc -eq 2 ] && printf '%s' "$OUT" | grep -q "podctl: 422"; then
        ok "a partner display name with quotes is refused when invited ($OUT)"
        settle
        check "and nothing was sent" [ "$(msg_count)" -eq "$N0" ]
    elif [ $rc -eq 0 ]; then
        QUID=$(jget uid)
        QF=$(wait_msg REQUEST "$QUID" 0 | head -1)
        if [ -z "$QF" ]; then not_ok "the invite with a quoted name arrived"
        else
            PYF=$($PY "$CHECK" invite "$QF" 2>&1)
            check "quoted name: recipients are only the partner and dev.sw ($(fact "$PYF" recipients))" \
                [ "$(sorted "$(fact "$PYF" recipients)")" = "$(sorted "$DEV,$QUOTED")" ]
            check "quoted name: envelope recipients likewise" \
                [ "$(sorted "$(paste -sd, "${QF%.eml}.rcpt")")" = "$(sorted "$DEV,$QUOTED")" ]
            check "quoted name: no Bcc or injected header ($(fact "$PYF" header_names))" \
                not_matching "$(fact "$PYF" header_names | tr , '\n')" '^(bcc|x-inj)$'
            check "quoted name: the iCalendar attendees are only the two ($(fact "$PYF" attendees))" \
                [ "$(sorted "$(fact "$PYF" attendees)")" = "$(sorted "$DEV,$QUOTED")" ]
            check "quoted name: RSVP stays TRUE for both ($(fact "$PYF" rsvp))" [ "$(fact "$PYF" rsvp)" = TRUE,TRUE ]
            check "quoted name: the display name decodes back exactly in To ($(fact "$PYF" to_names))" \
                in_list "$(fact "$PYF" to_names)" '|' "$QNAME"
            if [ "$HAVE_NODE" = 1 ]; then
                NDF=$(node "$NODE_DIR/check_invite.mjs" "$QF" 2>&1)
                check "quoted name (ical.js): attendees only the two, RSVP TRUE ($(fact "$NDF" attendees))" \
                    [ "$(sorted "$(fact "$NDF" attendees)")" = "$(sorted "$DEV,$QUOTED")" -a "$(fact "$NDF" rsvp)" = TRUE,TRUE ]
            fi
        fi
    else
        not_ok "schedule with the quoted-name partner: wanted 201 or 422, got exit $rc: $OUT"
    fi
fi

# A non-ASCII display name: RFC 2047 in headers, never raw
SNAME="Siân Llŷr"
expect_ok "alice adds a partner named $SNAME" pc alice.tm partner add --agency "Health B" --agency-kind health \
    --name "$SNAME" --email "$SIAN"
expect_ok "and links her to NC-2" pc alice.tm partner link NC-2 "$SIAN"
OUT=$(pc dev.sw --json meeting schedule "$TS" --start 2026-07-21T10:00 --end 2026-07-21T11:00 \
      --location "Pod North office, Room 2" --invite "$SIAN" 2>&1); rc=$?
check "dev.sw schedules a meeting inviting $SNAME (exit $rc)" [ $rc -eq 0 ]
SUID=$(jget uid 2>/dev/null)
SF=$(wait_msg REQUEST "$SUID" 0 | head -1)
if [ -n "$SUID" ] && [ -n "$SF" ]; then
    PYF=$($PY "$CHECK" invite "$SF" 2>&1)
    expect_facts "non-ASCII name: the message is 7-bit, CRLF" "$PYF" ascii=yes crlf=yes
    TO_RAW=$(fact "$PYF" to_raw)
    check "non-ASCII name: To carries an RFC 2047 encoded-word ($TO_RAW)" \
        eval 'printf "%s\n" "$TO_RAW" | grep -Eiq "=\?utf-8\?[bq]\?[^?]+\?="'
    check "non-ASCII name: decoded To names include '$SNAME' ($(fact "$PYF" to_names))" \
        in_list "$(fact "$PYF" to_names)" '|' "$SNAME"
    check "non-ASCII name: the attendee CN is '$SNAME' (python: $(fact "$PYF" attendee_cns))" \
        in_list "$(fact "$PYF" attendee_cns)" '|' "$SNAME"
    if [ "$HAVE_NODE" = 1 ]; then
        NDF=$(node "$NODE_DIR/check_invite.mjs" "$SF" 2>&1)
        check "non-ASCII name (ical.js): the attendee CN is '$SNAME' ($(fact "$NDF" attendee_cns))" \
            in_list "$(fact "$NDF" attendee_cns)" '|' "$SNAME"
    fi
else
    not_ok "the invite to $SNAME arrived (uid '$SUID'): $OUT"
fi

# --- update -------------------------------------------------------------------
clock "2026-07-01T09:30:00Z"
OUT=$(pc dev.sw --json meeting update "$TM" --start 2026-07-15T13:00 --end 2026-07-15T14:00 2>&1); rc=$?
check "dev.sw moves the meeting to 13:00 (exit $rc): SEQUENCE 1, same UID" \
    [ $rc -eq 0 -a "$(jget sequence 2>/dev/null)" = 1 -a "$(jget uid 2>/dev/null)" = "$MEETING_UID" ]
REQ1=$(wait_msg REQUEST "$MEETING_UID" 1)
check "the update reached the SMTP server" [ "$(printf '%s\n' "$REQ1" | sed '/^$/d' | wc -l)" -eq 1 ]
LAST_PYF=""
[ -n "$REQ1" ] && check_calendar "update" "$(printf '%s\n' "$REQ1" | head -1)" REQUEST 1 CONFIRMED \
    2026-07-15T13:00:00 2026-07-15T12:00:00Z 2026-07-15T13:00:00Z "$ATTENDEES"
STAMP1=$(fact "$LAST_PYF" dtstamp)
check "the update's DTSTAMP is later ($STAMP0 < $STAMP1)" eval '[[ -n "$STAMP0" && "$STAMP0" < "$STAMP1" ]]'
check "the update's subject says Updated ($(fact "$LAST_PYF" subject))" eval '[[ "$(fact "$LAST_PYF" subject)" == Updated:* ]]'

# --- replies ------------------------------------------------------------------
clock "2026-07-02T12:00:00Z"
reply "$T/accepted.eml" --sequence 1 --attendee "$HEAD" --name "Morgan Head" --partstat ACCEPTED \
    --message-id accepted-1@school-a.example --dtstamp 2026-07-02T11:00:00Z
reply "$T/declined.eml" --sequence 1 --attendee "$NURSE" --from "$NURSE_ALIAS" --name "Nurse, Health B" \
    --partstat DECLINED --shape outlook --message-id declined-1@health-b.example --dtstamp 2026-07-02T11:01:00Z
reply "$T/tentative.eml" --sequence 1 --attendee "$DEV" --name "Dev Wren" --partstat TENTATIVE \
    --message-id tentative-1@pod-north.example --dtstamp 2026-07-02T11:02:00Z
check "the Outlook-shaped reply is a lone text/calendar without ORGANIZER" $PY -c 'import email,sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
sys.exit(0 if m.get_content_type() == "text/calendar" and b"ORGANIZER" not in m.get_payload(decode=True) else 1)' "$T/declined.eml"
expect_out "the school's ACCEPTED reply is accepted (alice.tm's key)" "accepted|ACCEPTED" ingest alice.tm "$T/accepted.eml"
expect_out "the nurse's DECLINED reply from her alias, Outlook.com shape, is accepted (root.admin's key)" \
    "accepted|DECLINED" ingest root.admin "$T/declined.eml"
expect_out "dev.sw's TENTATIVE reply is accepted" "accepted|TENTATIVE" ingest alice.tm "$T/tentative.eml"
OUT=$(pc alice.tm meeting attendees "$TM" 2>&1)
check "meeting attendees shows $HEAD ACCEPTED" row_has "$OUT" "$HEAD" ACCEPTED
check "meeting attendees shows $NURSE DECLINED" row_has "$OUT" "$NURSE" DECLINED
check "meeting attendees shows $DEV TENTATIVE" row_has "$OUT" "$DEV" TENTATIVE
OUT=$(pc alice.tm --json meeting attendees "$TM" 2>&1)
check "every reply has a reply time" $PY -c 'import json,sys
sys.exit(0 if all(a["replied"] for a in json.loads(sys.argv[1])["attendees"]) else 1)' "$OUT"
for _ in $(seq 1 25); do [ "$(notices "$T/watch-dev.out" | wc -l)" -ge 3 ] && break; sleep 0.2; done
NOTICES=$(notices "$T/watch-dev.out")
check "dev.sw's watch got meeting-reply notices for ACCEPTED, DECLINED, TENTATIVE: $(printf '%s' "$NOTICES" | tr '\n' ';')" \
    eval '[ "$(count_notices "$TM" ACCEPTED)" -eq 1 -a "$(count_notices "$TM" DECLINED)" -eq 1 -a "$(count_notices "$TM" TENTATIVE)" -eq 1 ]'
check "erin.sw (not the lead) got no meeting-reply notice" [ -z "$(notices "$T/watch-erin.out")" ]
OUT=$(pc alice.tm --json case show NC-1 2>&1)
for p in accepted declined tentative; do
    check "NC-1's chronology records the $p reply" $PY -c 'import json,sys
d = json.loads(sys.argv[1])
sys.exit(0 if any(sys.argv[2] in e["text"].lower() for e in d["chronology"]) else 1)' "$OUT" "$p"
done

# --- refused replies: nothing changes -----------------------------------------
STATE1=$(state "$TM")
CHRON1=$(chronology_count NC-1)
MSGS1=$(msg_count)
# expect_unchanged DESC: the meeting and the chronology are as they were
expect_unchanged () {
    local now; now=$(state "$TM")
    if [ "$now" = "$STATE1" ] && [ "$(chronology_count NC-1)" = "$CHRON1" ]; then ok "$1: nothing changed"
    else not_ok "$1: the meeting or chronology changed: $now"; fi
}
$PY "$MAKE_REPLY" "$T/r-unknown.eml" --uid "podd-meeting-99999@pod-north.example" --sequence 1 --attendee "$HEAD" \
    --name "Morgan Head" --partstat DECLINED --message-id r-unknown@school-a.example --dtstamp 2026-07-02T11:10:00Z
expect_refused "a reply with an unknown UID is 404" 404 ingest alice.tm "$T/r-unknown.eml"
expect_unchanged "unknown UID"
reply "$T/r-police.eml" --sequence 1 --attendee "$POLICE" --name "PC Lee Stone" --partstat ACCEPTED \
    --message-id r-police@police-c.example --dtstamp 2026-07-02T11:11:00Z
expect_refused "a reply from a partner not invited (police) is 403" 403 ingest alice.tm "$T/r-police.eml"
expect_unchanged "attendee not invited"
reply "$T/r-from.eml" --sequence 1 --attendee "$HEAD" --from "someone@elsewhere.example" --name "Morgan Head" \
    --partstat DECLINED --message-id r-from@elsewhere.example --dtstamp 2026-07-02T11:12:00Z
expect_refused "a reply whose From is neither the attendee nor an alias is 403" 403 ingest alice.tm "$T/r-from.eml"
expect_unchanged "From not the attendee"
reply "$T/r-alias-other.eml" --sequence 1 --attendee "$HEAD" --from "$NURSE_ALIAS" --name "Morgan Head" \
    --partstat DECLINED --message-id r-alias-other@health-b.example --dtstamp 2026-07-02T11:12:30Z
expect_refused "a reply from another partner's alias is 403" 403 ingest alice.tm "$T/r-alias-other.eml"
expect_unchanged "someone else's alias"
reply "$T/r-two.eml" --sequence 1 --attendee "$HEAD" --attendee "$NURSE" --name "Morgan Head" --partstat DECLINED \
    --message-id r-two@school-a.example --dtstamp 2026-07-02T11:13:00Z
expect_refused "a reply with two ATTENDEEs is 422" 422 ingest alice.tm "$T/r-two.eml"
expect_unchanged "two attendees"
reply "$T/r-stale.eml" --sequence 0 --attendee "$HEAD" --name "Morgan Head" --partstat DECLINED \
    --message-id r-stale@school-a.example --dtstamp 2026-07-02T11:14:00Z
expect_refused "a reply to SEQUENCE 0 after the update made it 1 is stale: 409" 409 ingest alice.tm "$T/r-stale.eml"
expect_unchanged "stale SEQUENCE"
reply "$T/r-older.eml" --sequence 1 --attendee "$HEAD" --name "Morgan Head" --partstat DECLINED \
    --message-id r-older@school-a.example --dtstamp 2026-07-02T10:59:00Z
expect_refused "an older answer (same SEQUENCE, DTSTAMP before the ACCEPTED one) arriving late is 409" 409 \
    ingest alice.tm "$T/r-older.eml"
expect_unchanged "older DTSTAMP"
reply "$T/r-plain.eml" --sequence 1 --attendee "$HEAD" --name "Morgan Head" --partstat ACCEPTED --plain \
    --message-id r-plain@school-a.example --dtstamp 2026-07-02T11:15:00Z
expect_refused "a plain-text mail (not iCalendar) is 422" 422 ingest alice.tm "$T/r-plain.eml"
expect_unchanged "not iCalendar"
printf 'this is not an e-mail message at all\n' > "$T/r-garbage.eml"
expect_refused "garbage is 422" 422 ingest alice.tm "$T/r-garbage.eml"
expect_refused "the same message ingested twice: the second is 409" 409 ingest alice.tm "$T/tentative.eml"
expect_unchanged "duplicate Message-ID"
reply "$T/r-dup.eml" --sequence 1 --attendee "$DEV" --name "Dev Wren" --partstat ACCEPTED \
    --message-id tentative-1@pod-north.example --dtstamp 2026-07-02T11:16:00Z
expect_refused "another answer reusing a Message-ID already seen is 409" 409 ingest alice.tm "$T/r-dup.eml"
expect_unchanged "reused Message-ID"
reply "$T/r-again.eml" --sequence 1 --attendee "$HEAD" --name "Morgan Head" --partstat ACCEPTED \
    --message-id again-1@school-a.example --dtstamp 2026-07-02T11:17:00Z
expect_refused "a social worker's key cannot ingest mail (403)" 403 ingest dev.sw "$T/r-again.eml"
expect_refused "nor can erin.sw's (403)" 403 ingest erin.sw "$T/r-again.eml"
expect_unchanged "ingest with a social worker's key"
sleep 1
check "every refusal is logged with its reason ($(grep -c 'INGEST-MAIL -> 4.. refused: ' "$T/podd.log"))" \
    [ "$(grep -c 'INGEST-MAIL -> 4.. refused: ' "$T/podd.log")" -ge 11 ]
check "no meeting-reply notice for any refused reply ($(notices "$T/watch-dev.out" | wc -l) in all)" \
    [ "$(notices "$T/watch-dev.out" | wc -l)" -eq 3 ]
check "no message was sent because of a refused reply" [ "$(msg_count)" -eq "$MSGS1" ]
expect_out "the message refused for a social worker's key was not recorded: alice.tm ingests it" "accepted|ACCEPTED" \
    ingest alice.tm "$T/r-again.eml"

# --- outcome ------------------------------------------------------------------
clock "2026-07-02T13:00:00Z"
settle
N0=$(msg_count)
expect_ok "dev.sw sends the outcome" pc dev.sw meeting outcome "$TM" --summary "Next review in six weeks"
wait_count $((N0 + 1)) || true
settle
NOTE=""
for f in $(ls "$MAILDIR"/msg-*.eml | sort | tail -n +$((N0 + 1))); do
    grep -q "text/calendar" "$f" || { NOTE=$f; break; }
done
if [ -z "$NOTE" ]; then
    not_ok "the outcome note reached the SMTP server"
else
    NF=$($PY "$CHECK" note "$NOTE" --forbid "$CHILD" --forbid "NC-1" --forbid "$SUMMARY" 2>&1)
    rcpt=$(sorted "$(paste -sd, "${NOTE%.eml}.rcpt")")
    check "the outcome note went to both partners ($rcpt)" eval 'in_list "$rcpt" , "$HEAD" && in_list "$rcpt" , "$NURSE"'
    check "not to the organiser, the police or anyone else" \
        eval '[ -z "$(printf "%s\n" "$rcpt" | tr , "\n" | grep -vxF -e "$HEAD" -e "$NURSE" -e "$DEV")" ]'
    expect_facts "the outcome note is plain text from the pod, 7-bit, CRLF, without the child or case" "$NF" \
        calendar_parts=0 from="$ORGANISER" crlf=yes ascii=yes forbidden_found=none
    check "the outcome note says what happens next" eval '[[ "$(fact "$NF" text)" == *"Next review in six weeks"* ]]'
fi
OUT=$(pc alice.tm --json case show NC-1 2>&1)
check "NC-1's chronology records the outcome" $PY -c 'import json,sys
sys.exit(0 if any("Next review in six weeks" in e["text"] for e in json.loads(sys.argv[1])["chronology"]) else 1)' "$OUT"
expect_refused "an empty outcome is refused" "422|400" pc dev.sw meeting outcome "$TM" --summary ""

# --- cancel -------------------------------------------------------------------
clock "2026-07-02T13:10:00Z"
OUT=$(pc dev.sw --json meeting cancel "$TM" --reason "Placement ended" 2>&1); rc=$?
check "dev.sw cancels the meeting (exit $rc): SEQUENCE 2, cancelled" \
    [ $rc -eq 0 -a "$(jget sequence 2>/dev/null)" = 2 -a "$(jget status 2>/dev/null)" = cancelled ]
CAN2=$(wait_msg CANCEL "$MEETING_UID" 2)
check "the cancellation reached the SMTP server" [ "$(printf '%s\n' "$CAN2" | sed '/^$/d' | wc -l)" -eq 1 ]
LAST_PYF=""
[ -n "$CAN2" ] && check_calendar "cancel" "$(printf '%s\n' "$CAN2" | head -1)" CANCEL 2 CANCELLED \
    2026-07-15T13:00:00 2026-07-15T12:00:00Z 2026-07-15T13:00:00Z "$ATTENDEES"
STAMP2=$(fact "$LAST_PYF" dtstamp)
check "the cancel's DTSTAMP is later still ($STAMP1 < $STAMP2)" eval '[[ -n "$STAMP1" && "$STAMP1" < "$STAMP2" ]]'
check "the cancel's subject says Cancelled ($(fact "$LAST_PYF" subject))" eval '[[ "$(fact "$LAST_PYF" subject)" == Cancelled:* ]]'
SEQS=$(scan | awk -v u="$MEETING_UID" '$3==u {print $2 ":" $4}' | paste -sd' ' -)
check "the meeting's messages in order: REQUEST 0, REQUEST 1, CANCEL 2 ($SEQS)" [ "$SEQS" = "REQUEST:0 REQUEST:1 CANCEL:2" ]
expect_refused "a cancelled meeting cannot be updated" 409 pc dev.sw meeting update "$TM" --location "Room 4"

check "no message ever went to the organiser's mailbox" sh -c "! cat '$MAILDIR'/msg-*.rcpt | grep -qixF '$ORGANISER'"
check "no message ever went to an injected address" sh -c "! cat '$MAILDIR'/msg-*.rcpt | grep -qi 'evil'"
check "no message carries an injected header or line" sh -c "! grep -qiE '^(bcc|x-inj):' '$MAILDIR'/msg-*.eml"
stop_watch
finish
