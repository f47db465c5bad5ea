# Partners' replies as real mail clients send them, end to end: podd on a
# test clock; five partners invited to a stability meeting answer ACCEPTED,
# DECLINED and TENTATIVE in the shapes of Outlook desktop, Outlook.com,
# Gmail, Apple Calendar and Thunderbird (tests/replies/*.eml.in, rendered
# with the meeting's UID by tests/replies/render.py) through podctl
# ingest-mail; then the order of refusal reasons, replies to a cancelled
# meeting, who may ingest for which pod, the ORGANIZER and SEQUENCE checks,
# the lead's durable meeting-reply notice and ingest-mail's exit 75.
. "$(dirname "$0")/../lib.sh"
RENDER="$ROOT/tests/replies/render.py"
CORPUS="$ROOT/tests/replies"
ORGANISER="pod-north@pod-north.example"
DESK="jo.reed@school-a.example"
OCOM="nurse@health-b.example"
OCOM_ALIAS="nurse.alt@health-b.example"
GMAIL="sian.llyr@health-b.example"
APPLE="pat.evans@vs-d.example"
TBIRD="pc.stone@police-c.example"

export PODD_CLOCK_FILE="$T/clock"
clock () { echo "$1" > "$PODD_CLOCK_FILE"; sleep 0.3; }
echo "2026-07-01T08:00:00Z" > "$PODD_CLOCK_FILE"
# vic.supw (a support worker of pod south) is the mail gateway's member
make_config -e 's|gateway = ""  |gateway = "vic.supw"|'
grep -q 'gateway = "vic.supw"' "$T/podd.conf" || not_ok "test config names the mail gateway"
keygen alice.tm dev.sw root.admin sam.tm tara.sw vic.supw
start_podd || { not_ok "podd starts"; exit 1; }
jget () { $PY -c 'import json,sys; d=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): d=d[k] if not k.isdigit() else d[int(k)]
print(d)' "$OUT" "$1"; }

# partstat TASK EMAIL: that attendee's PARTSTAT (addresses compared as stored)
partstat () {
    pc alice.tm --json meeting attendees "$1" 2>/dev/null | $PY -c 'import json,sys
d = json.load(sys.stdin)
print([a["partstat"] for a in d["attendees"] if a["email"].lower() == sys.argv[1].lower()][0])' "$2" 2>/dev/null
}
# state TASK: sequence, status and every attendee's answer
state () {
    pc alice.tm --json meeting attendees "$1" 2>&1 | $PY -c 'import json,sys
d = json.load(sys.stdin)
print(d.get("sequence"), d.get("status"), [(a["email"], a["partstat"], a["replied"]) for a in d["attendees"]])' 2>&1
}
chronology_count () {
    pc alice.tm --json case show "$1" | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["chronology"]))'
}
# render TEMPLATE OUT KEY=VALUE...: a corpus reply for the meeting
render () { $PY "$RENDER" "$@" "UID=$MEETING_UID" "ORGANIZER=$ORGANISER" \
            "DATE=Thu, 2 Jul 2026 11:00:00 +0000" || not_ok "render.py $*"; }
# ingest WHO FILE
ingest () { pc "$1" ingest-mail < "$2"; }
# expect_refused DESC STATUS REASON-REGEX CMD...: exit 2, "podctl: STATUS Text: refused: REASON"
expect_refused () {
    local desc=$1 code=$2 re=$3; shift 3
    OUT=$("$@" 2>&1); local rc=$?
    if [ $rc -eq 2 ] && printf '%s\n' "$OUT" | grep -Eq -- "podctl: $code [^:]+: refused: ($re)"; then
        ok "$desc ($OUT)"
    else not_ok "$desc: wanted exit 2, $code /$re/, got exit $rc: $OUT"; fi
}
# raw_reply OUT FROM ATTENDEE PARTSTAT SEQ MSGID [EXTRA-LINES]: a lone text/calendar reply
raw_reply () {
    local out=$1 from=$2 who=$3 p=$4 seq=$5 id=$6 extra=${7:-DTSTAMP:20260702T120000Z}
    printf '%s\r\n' "From: <$from>" "To: <$ORGANISER>" "Subject: Re: Stability meeting" \
        "Message-ID: <$id>" "MIME-Version: 1.0" "Content-Type: text/calendar; charset=UTF-8; method=REPLY" "" \
        "BEGIN:VCALENDAR" "VERSION:2.0" "PRODID:-//podd tests//raw reply//EN" "METHOD:REPLY" "BEGIN:VEVENT" \
        "UID:$MEETING_UID" "SEQUENCE:$seq" "$extra" "ATTENDEE;PARTSTAT=$p;CN=Someone:mailto:$who" \
        "END:VEVENT" "END:VCALENDAR" > "$out"
}

# --- a case, five partners, a meeting at SEQUENCE 1 -------------------------
expect_ok "alice opens NC-1 (lead dev.sw)" pc alice.tm case open NC-1 --kind child --lead dev.sw \
    --summary "Fictional child Robin"
add_partner () {    # add_partner EMAIL NAME KIND [ALIAS]
    local alias=()
    [ -n "${4:-}" ] && alias=(--alias "$4")
    expect_ok "alice adds $1" pc alice.tm partner add --agency "Agency of $2" --agency-kind "$3" \
        --name "$2" --email "$1" "${alias[@]}"
    expect_ok "and links $1 to NC-1" pc alice.tm partner link NC-1 "$1"
}
add_partner "$DESK" "Jo Reed" school
add_partner "$OCOM" "Nia Nurse" health "$OCOM_ALIAS"
add_partner "$GMAIL" "Sian Llyr" health
add_partner "$APPLE" "Pat Evans" virtual-school
add_partner "$TBIRD" "PC Lee Stone" police
OUT=$(pc alice.tm --json task new NC-1 --kind stability-meeting --title "Placement stability meeting" \
      --due 2026-07-15 2>&1)
TM=$(jget id 2>/dev/null)
pc dev.sw task accept "$TM" > /dev/null 2>&1
OUT=$(pc dev.sw --json meeting schedule "$TM" --start 2026-07-15T10:00 --end 2026-07-15T11:30 \
      --location "Pod North office, Room 2" --invite "$DESK" --invite "$OCOM" --invite "$GMAIL" \
      --invite "$APPLE" --invite "$TBIRD" 2>&1); rc=$?
MEETING_UID=$(jget uid 2>/dev/null)
check "dev.sw schedules meeting $TM for five partners (exit $rc, uid $MEETING_UID)" [ $rc -eq 0 -a -n "$MEETING_UID" ]
clock "2026-07-01T09:00:00Z"
OUT=$(pc dev.sw --json meeting update "$TM" --location "Pod North office, Room 3" 2>&1)
check "the meeting moves to Room 3: SEQUENCE 1" [ "$(jget sequence 2>/dev/null)" = 1 ]

# --- the corpus: every client, every answer ----------------------------------
clock "2026-07-02T12:00:00Z"
#       template         attendee as written   From           key
CORPUS_RUNS="outlook-desktop $DESK                 $DESK          alice.tm
outlook-com     Nurse@Health-B.example $OCOM_ALIAS    vic.supw
gmail           $GMAIL                $GMAIL         root.admin
apple           $APPLE                $APPLE         vic.supw
thunderbird     $TBIRD                $TBIRD         alice.tm"
n=0
while read -r client attendee from key; do
    for p in ACCEPTED DECLINED TENTATIVE; do
        n=$((n + 1))
        lower=$(printf '%s' "$p" | tr A-Z a-z)
        tpl="$CORPUS/$client-$lower.eml.in"
        file="$T/corpus-$client-$lower.eml"
        render "$tpl" "$file" "SEQ=1" "ATTENDEE=$attendee" "FROM=$from" \
            "DTSTAMP=$(printf '20260702T11%02d00Z' "$n")" "MSGID=corpus-$n.$client@mail.example"
        expect_out "$client $p reply ($(basename "$tpl"), From $from, $key's key) is taken in" \
            "accepted: $(printf '%s' "$attendee" | tr A-Z a-z) $p" ingest "$key" "$file"
        got=$(partstat "$TM" "$attendee")
        check "meeting attendees shows $attendee $p after the $client reply (got $got)" [ "$got" = "$p" ]
    done
done <<< "$CORPUS_RUNS"
check "the corpus has at least 15 replies, each run here ($n; $(ls "$CORPUS"/*.eml.in | wc -l) templates)" \
    [ "$n" -ge 15 -a "$n" -eq "$(ls "$CORPUS"/*.eml.in | wc -l)" ]

# --- the real reason first; the Message-ID check last ------------------------
STATE1=$(state "$TM")
CHRON1=$(chronology_count NC-1)
unchanged () {
    if [ "$(state "$TM")" = "$STATE1" ] && [ "$(chronology_count NC-1)" = "$CHRON1" ]; then ok "$1: nothing changed"
    else not_ok "$1: the meeting or chronology changed: $(state "$TM")"; fi
}
raw_reply "$T/spoof.eml" mallory@elsewhere.example "$DESK" NEEDS-ACTION 1 spoof-1@elsewhere.example
expect_refused "a spoofed From is refused as such even with a bad PARTSTAT" 403 "From mallory@elsewhere.example is not" \
    ingest alice.tm "$T/spoof.eml"
raw_reply "$T/uninvited.eml" someone@elsewhere.example someone@elsewhere.example ACCEPTED 1 uninvited-1@elsewhere.example \
    "X-NO-DTSTAMP:1"
expect_refused "an uninvited attendee is refused as such even without a DTSTAMP" 403 "someone@elsewhere.example was not invited" \
    ingest alice.tm "$T/uninvited.eml"
raw_reply "$T/spoof-id.eml" mallory@elsewhere.example "$DESK" DECLINED 1 corpus-1.outlook-desktop@mail.example \
    DTSTAMP:20260702T120500Z
expect_refused "a spoofed reply reusing a Message-ID already taken in is refused as spoofed, not as a duplicate" 403 \
    "From mallory@elsewhere.example is not" ingest alice.tm "$T/spoof-id.eml"
unchanged "spoofed and uninvited replies"
raw_reply "$T/stale.eml" "$DESK" "$DESK" DECLINED 0 fixme-1@school-a.example DTSTAMP:20260702T120600Z
expect_refused "a reply to SEQUENCE 0 is stale" 409 "stale reply" ingest alice.tm "$T/stale.eml"
expect_refused "sent again, the refused message is still stale, not 'taken in already'" 409 "stale reply" \
    ingest alice.tm "$T/stale.eml"
raw_reply "$T/fixed.eml" "$DESK" "$DESK" DECLINED 1 fixme-1@school-a.example DTSTAMP:20260702T120600Z
expect_out "corrected, with the same Message-ID, it is taken in" "accepted: $DESK DECLINED" ingest alice.tm "$T/fixed.eml"
expect_refused "the same message again: taken in already" 409 "message fixme-1@school-a.example was taken in already" \
    ingest alice.tm "$T/fixed.eml"
STATE1=$(state "$TM"); CHRON1=$(chronology_count NC-1)

# --- who may ingest for which pod; ORGANIZER; SEQUENCE ------------------------
raw_reply "$T/south.eml" "$DESK" "$DESK" ACCEPTED 1 south-1@school-a.example DTSTAMP:20260702T120700Z
expect_refused "pod south's team manager cannot take in a reply to pod north's meeting" 403 "this key may not" \
    ingest sam.tm "$T/south.eml"
expect_err "nor can a social worker's key (tara.sw)" "403" ingest tara.sw "$T/south.eml"
unchanged "replies passed on with another pod's key"
raw_reply "$T/org.eml" "$DESK" "$DESK" ACCEPTED 1 org-1@school-a.example \
    $'DTSTAMP:20260702T120800Z\r\nORGANIZER;CN=Pod South:mailto:pod-south@pod-south.example'
expect_refused "a reply whose ORGANIZER is not the pod's mailbox is refused" 422 "ORGANIZER pod-south@pod-south.example" \
    ingest alice.tm "$T/org.eml"
raw_reply "$T/newer.eml" "$DESK" "$DESK" ACCEPTED 5 newer-1@school-a.example DTSTAMP:20260702T120900Z
expect_refused "a reply to SEQUENCE 5 when the meeting is at 1 is refused" 422 "SEQUENCE 5 is newer" \
    ingest alice.tm "$T/newer.eml"
unchanged "wrong ORGANIZER and SEQUENCE"
raw_reply "$T/org-ok.eml" "$DESK" "$DESK" ACCEPTED 1 org-2@school-a.example \
    $'DTSTAMP:20260702T121000Z\r\nORGANIZER:MAILTO:POD-NORTH@Pod-North.example'
expect_out "the pod's mailbox as ORGANIZER, in capitals, is fine (the gateway's key)" "accepted: $DESK ACCEPTED" \
    ingest vic.supw "$T/org-ok.eml"

# --- the lead learns on WATCH, even when offline when the replies came --------
"$PODCTL" -e "$EP" -k "$T/keys/dev.sw.cert" -s "$T/keys/podd.cert" -t 5 --json watch \
    > "$T/watch1.out" 2> "$T/watch1.err" & W=$!
NOTICES=0
for _ in $(seq 1 30); do
    NOTICES=$(grep -c '"meeting-reply"' "$T/watch1.out" 2>/dev/null)
    [ "${NOTICES:-0}" -ge 17 ] && break
    sleep 0.2
done
sleep 0.5
kill "$W" 2>/dev/null; wait "$W" 2>/dev/null
check "dev.sw, offline while 17 replies were taken in, gets 17 meeting-reply notices on WATCH ($NOTICES)" \
    [ "${NOTICES:-0}" -eq 17 ]
check "each carries a delivery to ACK" $PY -c 'import json,sys
n = [json.loads(l) for l in open(sys.argv[1]) if "meeting-reply" in l]
sys.exit(0 if n and all(isinstance(x.get("delivery"), int) and x["data"]["task"] == int(sys.argv[2]) for x in n) else 1)' \
    "$T/watch1.out" "$TM"
"$PODCTL" -e "$EP" -k "$T/keys/dev.sw.cert" -s "$T/keys/podd.cert" -t 5 --json watch \
    > "$T/watch2.out" 2> "$T/watch2.err" & W=$!
sleep 1.5
kill "$W" 2>/dev/null; wait "$W" 2>/dev/null
check "once acknowledged they are not replayed ($(grep -c meeting-reply "$T/watch2.out"); $(head -1 "$T/watch2.err"))" \
    eval '[ "$(grep -c meeting-reply "$T/watch2.out")" -eq 0 ] && grep -q "^pending 0" "$T/watch2.err"'

# --- addresses: one check, case and mailto: do not matter ---------------------
OUT=$(pc alice.tm --json partner add --agency "School E" --agency-kind school --name "Kim Shaw" \
      --email "MAILTO:Kim.Shaw@School-E.example" --alias "Kim.Home@School-E.example" 2>&1); rc=$?
check "a partner added as MAILTO:Kim.Shaw@School-E.example is stored as kim.shaw@school-e.example (exit $rc: $OUT)" \
    eval '[ $rc -eq 0 ] && [ "$(jget email)" = kim.shaw@school-e.example ] && [ "$(jget aliases.0)" = kim.home@school-e.example ]'
expect_err "the same address in other letters is the same partner (409)" 409 pc alice.tm partner add \
    --agency "School E" --agency-kind school --name "Kim Shaw" --email "KIM.SHAW@school-e.EXAMPLE"
expect_err "an alias in other letters is already known (409)" 409 pc alice.tm partner add \
    --agency "School E" --agency-kind school --name "Kim Again" --email kim.again@school-e.example \
    --alias "KIM.home@school-e.example"
for bad in "jo..reed@school-e.example" "jo.reed@school-e-.example" ".jo@school-e.example" "jo@school_e.example"; do
    expect_err "partner add refuses '$bad', which an invitation could not carry (422)" 422 pc alice.tm partner add \
        --agency "School E" --agency-kind school --name "Jo Bad" --email "$bad"
done
expect_err "partner add refuses a name with a double quote (422)" 422 pc alice.tm partner add \
    --agency "School E" --agency-kind school --name 'Kim "K" Shaw' --email kim.k@school-e.example
expect_err "member add refuses a name with a double quote, as partner add does (422)" 422 pc root.admin member add \
    quote.sw --name 'Quinn "Q" Sw' --email quinn.sw@pod-north.example --role social-worker --pod north
expect_err "member add refuses an address an invitation could not carry (422)" 422 pc root.admin member add \
    dots.sw --name "Dot Sw" --email "dot..sw@pod-north.example" --role social-worker --pod north
expect_ok "partner link takes the address in any case, with mailto:" pc alice.tm partner link NC-1 \
    "mailto:KIM.SHAW@School-E.example"
OUT=$(pc alice.tm --json task new NC-1 --kind stability-meeting --title "Second meeting" --due 2026-07-20 2>&1)
T2=$(jget id 2>/dev/null)
pc dev.sw task accept "$T2" > /dev/null 2>&1
expect_ok "meeting schedule invites the partner named in capitals" pc dev.sw meeting schedule "$T2" \
    --start 2026-07-20T10:00 --end 2026-07-20T11:00 --location "Pod North office, Room 2" \
    --invite "KIM.SHAW@SCHOOL-E.EXAMPLE"
OUT=$(pc alice.tm --json meeting attendees "$T2" 2>&1)
UID2=$(jget uid 2>/dev/null)
check "the attendee is kim.shaw@school-e.example" $PY -c 'import json,sys
sys.exit(0 if "kim.shaw@school-e.example" in [a["email"] for a in json.loads(sys.argv[1])["attendees"]] else 1)' "$OUT"
raw_reply "$T/kim.eml" "Kim.Home@SCHOOL-E.example" "KIM.Shaw@School-E.example" ACCEPTED 0 kim-1@school-e.example
sed -i "s|^UID:.*|UID:$UID2\r|" "$T/kim.eml"
expect_out "a reply From her alias in other letters is hers" "accepted: kim.shaw@school-e.example ACCEPTED" \
    ingest alice.tm "$T/kim.eml"

# --- partner update -----------------------------------------------------------
OUT=$(pc alice.tm --json partner update "Kim.Shaw@school-e.example" --name "Kim Shaw-Evans" \
      --alias kim.mobile@school-e.example --remove-alias KIM.HOME@school-e.example 2>&1); rc=$?
check "partner update renames Kim, adds an alias and removes one (exit $rc: $OUT)" \
    eval '[ $rc -eq 0 ] && [ "$(jget name)" = "Kim Shaw-Evans" ] && [ "$(jget aliases)" = "['"'"'kim.mobile@school-e.example'"'"']" ]'
OUT=$(pc alice.tm --json meeting attendees "$T2" 2>&1)
check "the meeting names her as renamed" $PY -c 'import json,sys
sys.exit(0 if "Kim Shaw-Evans" in [a["name"] for a in json.loads(sys.argv[1])["attendees"]] else 1)' "$OUT"
raw_reply "$T/kim2.eml" kim.home@school-e.example kim.shaw@school-e.example DECLINED 0 kim-2@school-e.example \
    DTSTAMP:20260702T130000Z
sed -i "s|^UID:.*|UID:$UID2\r|" "$T/kim2.eml"
expect_refused "a reply from the removed alias is no longer hers" 403 "From kim.home@school-e.example is not" \
    ingest alice.tm "$T/kim2.eml"
expect_err "partner update of an unknown partner is 404" 404 pc alice.tm partner update nobody@school-e.example --name X
expect_err "partner update adding another partner's address is 409" 409 pc alice.tm partner update \
    kim.shaw@school-e.example --alias "$DESK"
expect_err "partner update removing an address that is not her alias is 404" 404 pc alice.tm partner update \
    kim.shaw@school-e.example --remove-alias someone@school-e.example
expect_err "partner update with a quoted name is 422" 422 pc alice.tm partner update kim.shaw@school-e.example \
    --name 'Kim "K"'
expect_err "partner update with nothing to change is 400" 400 pc alice.tm partner update kim.shaw@school-e.example
expect_err "a social worker cannot update a partner (403)" 403 pc dev.sw partner update kim.shaw@school-e.example \
    --name "Kim S"

# --- online and hybrid meetings -----------------------------------------------
NODE_DIR="$ROOT/tests/node"
ensure_icaljs () {
    [ -f "$NODE_DIR/node_modules/ical.js/package.json" ] && return 0
    command -v node > /dev/null && command -v npm > /dev/null || { echo "node or npm missing" > "$T/npm.log"; return 1; }
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error < /dev/null) > "$T/npm.log" 2>&1
}
if ensure_icaljs; then HAVE_NODE=1; else HAVE_NODE=0; not_ok "ical.js available: $(tail -5 "$T/npm.log")"; fi
# spooled UID SEQ: the spooled invite of that meeting version, once the outbox has written it
spooled () {
    local f
    for _ in $(seq 1 50); do
        f=$($PY -c 'import email,email.policy,glob,sys
for path in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
    for p in m.walk():
        if p.get_content_type() == "text/calendar":
            ics = p.get_payload(decode=True).decode()
            if "UID:" + sys.argv[2] in ics.replace("\r\n ", "") and "SEQUENCE:" + sys.argv[3] + "\r\n" in ics:
                print(path)' "$T/spool" "$1" "$2" 2>/dev/null | head -1)
        [ -n "$f" ] && { echo "$f"; return 0; }
        sleep 0.2
    done
    return 1
}
JOIN="https://meet.example/j/4815162342?pwd=Pod-North.1"
OUT=$(pc alice.tm --json task new NC-1 --kind stability-meeting --title "Online meeting" --due 2026-07-21 2>&1)
T3=$(jget id 2>/dev/null)
pc dev.sw task accept "$T3" > /dev/null 2>&1
expect_err "a meeting with neither a location nor an online link is refused (422)" 422 pc dev.sw meeting schedule "$T3" \
    --start 2026-07-21T10:00 --end 2026-07-21T11:00 --invite "$DESK"
for bad in "http://meet.example/j/1" "javascript:alert(1)" "https://meet.example/a b" $'https://meet.example/\r\nX-INJ: 1'; do
    expect_err "an online link '${bad//$'\r\n'/\\r\\n}' is refused (422)" 422 pc dev.sw meeting schedule "$T3" \
        --start 2026-07-21T10:00 --end 2026-07-21T11:00 --online "$bad" --invite "$DESK"
done
OUT=$(pc dev.sw --json meeting schedule "$T3" --start 2026-07-21T10:00 --end 2026-07-21T11:00 \
      --online "$JOIN" --invite "$DESK" 2>&1); rc=$?
UID3=$(jget uid 2>/dev/null)
check "dev.sw schedules an online meeting (exit $rc): online is the link, no location" \
    eval '[ $rc -eq 0 ] && [ "$(jget online)" = "$JOIN" ] && [ -z "$(jget location)" ]'
OUT=$(pc alice.tm meeting attendees "$T3" 2>&1)
check "meeting attendees shows the joining link" eval 'printf "%s\n" "$OUT" | grep -F "$JOIN" | grep -qi online'
check_online () {   # check_online NAME FILE LOCATION
    local PYF NDF want_location=$3
    PYF=$($PY "$ROOT/tests/check_invite.py" invite "$2" 2>&1) || not_ok "$1: check_invite.py: $PYF"
    check "$1 (python3-icalendar): CONFERENCE;VALUE=URI;FEATURE=VIDEO:$JOIN ($(printf '%s' "$PYF" | grep ^conference | tr '\n' ' '))" \
        eval '[ "$(fact "$PYF" conferences)" = 1 ] && [ "$(fact "$PYF" conference)" = "$JOIN" ] &&
              [ "$(fact "$PYF" conference_value)" = URI ] && [ "$(fact "$PYF" conference_feature)" = VIDEO ]'
    check "$1 (python3-icalendar): LOCATION is '$3' ($(fact "$PYF" location))" [ "$(fact "$PYF" location)" = "$3" ]
    check "$1: the plain text and the DESCRIPTION give the link" \
        eval 'fact "$PYF" text | grep -qF "Join online: $JOIN" && fact "$PYF" description | grep -qF "Join online: $JOIN"'
    [ "$HAVE_NODE" = 1 ] || return 0
    NDF=$(node "$ROOT/tests/node/check_invite.mjs" "$2" 2>&1) || not_ok "$1: check_invite.mjs: $NDF"
    check "$1 (ical.js): the same CONFERENCE and LOCATION ($(printf '%s' "$NDF" | grep ^conference | tr '\n' ' '))" \
        eval '[ "$(fact "$NDF" conference)" = "$JOIN" ] && [ "$(fact "$NDF" conference_value)" = URI ] &&
              [ "$(fact "$NDF" conference_feature)" = VIDEO ] && [ "$(fact "$NDF" location)" = "$want_location" ]'
}
fact () { printf '%s\n' "$1" | sed -n "s/^$2=//p" | head -1; }
F=$(spooled "$UID3" 0)
if [ -n "$F" ]; then check_online "online invite" "$F" "$JOIN"; else not_ok "the online invite was spooled"; fi
clock "2026-07-02T13:00:00Z"
OUT=$(pc dev.sw --json meeting update "$T3" --location "Pod North office, Room 2" 2>&1); rc=$?
check "the meeting becomes hybrid (exit $rc): a room and the link" \
    eval '[ $rc -eq 0 ] && [ "$(jget online)" = "$JOIN" ] && [ "$(jget location)" = "Pod North office, Room 2" ]'
F=$(spooled "$UID3" 1)
if [ -n "$F" ]; then check_online "hybrid update" "$F" "Pod North office, Room 2"; else not_ok "the hybrid update was spooled"; fi
expect_err "clearing the room of a meeting without a link is refused (422)" 422 pc dev.sw meeting update "$T2" --location ""

# --- a cancelled meeting takes no more replies --------------------------------
clock "2026-07-03T09:00:00Z"
OUT=$(pc dev.sw --json meeting cancel "$TM" --reason "Placement ended" 2>&1)
check "dev.sw cancels the meeting: SEQUENCE 2" [ "$(jget sequence 2>/dev/null)" = 2 ]
STATE1=$(state "$TM"); CHRON1=$(chronology_count NC-1)
render "$CORPUS/outlook-desktop-accepted.eml.in" "$T/after-cancel.eml" SEQ=2 "ATTENDEE=$DESK" "FROM=$DESK" \
    DTSTAMP=20260703T100000Z MSGID=after-cancel@mail.example
expect_refused "a reply to the cancelled meeting (its own SEQUENCE 2) is 409" 409 "the meeting was cancelled" \
    ingest alice.tm "$T/after-cancel.eml"
unchanged "reply to a cancelled meeting"

# --- ingest-mail: 2 for a refusal, 75 when podd does not answer ----------------
pc alice.tm ingest-mail < "$T/after-cancel.eml" > /dev/null 2>&1; rc=$?
check "a refusal exits 2 (the mail server bounces it) ($rc)" [ $rc -eq 2 ]
PORT_DEAD=$(free_port)
"$PODCTL" -e "tcp://127.0.0.1:$PORT_DEAD" -k "$T/keys/alice.tm.cert" -s "$T/keys/podd.cert" -t 1 \
    ingest-mail < "$T/after-cancel.eml" > "$T/dead.out" 2>&1; rc=$?
check "no answer exits 75, EX_TEMPFAIL, so the mail server tries again ($rc: $(cat "$T/dead.out"))" [ $rc -eq 75 ]

finish
