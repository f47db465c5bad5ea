# Calendar invites: podd_calendar's REQUEST, update and CANCEL of one meeting
# (written by tests/calendar_driver) read by two independent parsers,
# tests/check_invite.py (email module + python3-icalendar) and
# tests/node/check_invite.mjs (ical.js); then attendees' replies made by
# python3-icalendar, parsed back by the driver, and replies it must refuse.
# No podd process: the driver calls the library directly.
. "$(dirname "$0")/../lib.sh"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

DRIVER="$ROOT/$BUILD/tests/calendar_driver"
NODE_DIR="$ROOT/tests/node"
CHILD="Maisie Quartermaine"         # in the driver's case record, never in a message
CASE_REF="CH-2026-0042"
MEETING_UID="podd-meeting-17@pod-north.example"
ORGANISER="pod-north@pod-north.example"
ATTENDEES="jo.reed@school.example,sian.llyr@health.example,priya.shah@virtual-school.example"

# sanitizer reports or a non-zero exit from the driver
driver_clean () {
    if grep -qE "ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:" "$1"; then
        not_ok "sanitizer report from calendar_driver: $(grep -A20 -E 'Sanitizer|runtime error' "$1" | head -30)"
        return 1
    fi
    return 0
}

# ical.js comes from the npm registry, pinned by tests/node/package-lock.json;
# installed here on first use (CI starts from a clean clone, no stdin)
ensure_icaljs () {
    [ -f "$NODE_DIR/node_modules/ical.js/package.json" ] && return 0
    if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
        echo "node or npm missing" > "$T/npm.log"
        return 1
    fi
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error < /dev/null) > "$T/npm.log" 2>&1
}

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

# --- the invites ------------------------------------------------------------
mkdir -p "$T/mail"
if "$DRIVER" invites "$T/mail" > "$T/driver.out" 2> "$T/driver.err" \
   && [ -s "$T/mail/request.eml" ] && [ -s "$T/mail/update.eml" ] && [ -s "$T/mail/cancel.eml" ]; then
    ok "calendar_driver writes the request, the update and the cancel"
else
    not_ok "calendar_driver invites: $(cat "$T/driver.err")"
    exit 1
fi
driver_clean "$T/driver.err"

if ensure_icaljs; then
    ok "ical.js available in tests/node ($(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$NODE_DIR/node_modules/ical.js/package.json" | head -1))"
    HAVE_NODE=1
else
    not_ok "installing ical.js with npm ci: $(tail -5 "$T/npm.log")"
    HAVE_NODE=0
fi

declare -A PYFACTS
#       message  method   seq status     DTSTART local        DTSTART UTC          DTEND UTC
CASES="request   REQUEST  0   CONFIRMED  2026-07-15T10:00:00  2026-07-15T09:00:00Z 2026-07-15T10:30:00Z
update    REQUEST  1   CONFIRMED  2026-07-16T14:00:00  2026-07-16T13:00:00Z 2026-07-16T14:00:00Z
cancel    CANCEL   2   CANCELLED  2026-07-16T14:00:00  2026-07-16T13:00:00Z 2026-07-16T14:00:00Z"

while read -r name method seq status local utc end_utc; do
    eml="$T/mail/$name.eml"
    # python: email module + python3-icalendar
    if PYF=$($PY "$ROOT/tests/check_invite.py" invite "$eml" --forbid "$CHILD" --forbid "$CASE_REF" 2>&1); then
        ok "$name: python3-icalendar reads it"
    else
        not_ok "$name: check_invite.py failed: $PYF"
    fi
    expect_facts "$name (python): MIME is multipart/alternative, text/plain first, then inline base64 text/calendar; method=$method" "$PYF" \
        parts=multipart/alternative,text/plain,text/calendar text_plain_first=yes calendar_parts=1 \
        calendar_encoding=base64 calendar_disposition=none calendar_filename= \
        mime_method="$method" mime_charset=UTF-8 crlf=yes ascii=yes mime_version=1.0
    expect_facts "$name (python): METHOD:$method in the body equals the MIME method, one VEVENT" "$PYF" \
        method="$method" version=2.0 vevents=1 uid="$MEETING_UID" sequence="$seq" status="$status"
    expect_facts "$name (python): compact Europe/London VTIMEZONE, $local local = $utc" "$PYF" \
        vtimezones=1 tzids=Europe/London tz_parts=2 dtstart_tzid=Europe/London \
        dtstart_local="$local" dtstart_utc="$utc" dtstart_utc_vtimezone="$utc" dtend_utc="$end_utc"
    expect_facts "$name (python): organiser is the pod and no recipient; every attendee RSVP=TRUE, NEEDS-ACTION" "$PYF" \
        organiser="$ORGANISER" organiser_cn="North pod" from="$ORGANISER" \
        recipients="$ATTENDEES" attendees="$ATTENDEES" \
        rsvp=TRUE,TRUE,TRUE partstat=NEEDS-ACTION,NEEDS-ACTION,NEEDS-ACTION \
        cutype=INDIVIDUAL,INDIVIDUAL,INDIVIDUAL role=REQ-PARTICIPANT,REQ-PARTICIPANT,REQ-PARTICIPANT \
        "attendee_cns=Jo Reed|Siân Llŷr|Shah, Priya (Virtual School)"
    recipients=$(fact "$PYF" recipients)
    check "$name: the organiser is not among the recipients" \
        test -n "$recipients" -a "${recipients#*$ORGANISER}" = "$recipients"
    subject=$(fact "$PYF" subject)
    check "$name: subject '$subject' has the meeting type and place, not the child" \
        eval 'printf "%s" "$subject" | grep -q "Placement stability meeting, .* Room 2, County Hall" && [ "${subject#*Maisie}" = "$subject" ]'
    expect_facts "$name: neither the child's name nor the case reference appears anywhere" "$PYF" forbidden_found=none
    PYFACTS[$name]=$PYF

    # node: ical.js with the VTIMEZONE registered in ICAL.TimezoneService
    [ "$HAVE_NODE" = 1 ] || continue
    if NDF=$(node "$NODE_DIR/check_invite.mjs" "$eml" 2>&1); then
        ok "$name: ical.js reads it"
    else
        not_ok "$name: check_invite.mjs failed: $NDF"
    fi
    expect_facts "$name (ical.js): text/plain first, inline base64 text/calendar, method $method in both" "$NDF" \
        parts=multipart/alternative,text/plain,text/calendar calendar_parts=1 calendar_encoding=base64 \
        calendar_disposition=none mime_method="$method" mime_charset=UTF-8 method="$method" ics_crlf=yes
    expect_facts "$name (ical.js): UID, SEQUENCE $seq, STATUS:$status" "$NDF" \
        version=2.0 vevents=1 uid="$MEETING_UID" sequence="$seq" status="$status"
    expect_facts "$name (ical.js): $local Europe/London resolved by the shipped VTIMEZONE = $utc" "$NDF" \
        vtimezones=1 tzids=Europe/London tz_parts=2 dtstart_tzid=Europe/London \
        dtstart_local="$local" dtstart_utc="$utc" dtend_utc="$end_utc"
    expect_facts "$name (ical.js): organiser the pod, every attendee RSVP=TRUE" "$NDF" \
        organiser="$ORGANISER" attendees="$ATTENDEES" rsvp=TRUE,TRUE,TRUE \
        partstat=NEEDS-ACTION,NEEDS-ACTION,NEEDS-ACTION \
        "attendee_cns=Jo Reed|Siân Llŷr|Shah, Priya (Virtual School)"
    expect_facts "$name: both parsers agree" "$NDF" \
        uid="$(fact "$PYF" uid)" sequence="$(fact "$PYF" sequence)" dtstart_utc="$(fact "$PYF" dtstart_utc)" \
        dtstamp="$(fact "$PYF" dtstamp)" location="$(fact "$PYF" location)" summary="$(fact "$PYF" summary)"
done <<< "$CASES"

s0=$(fact "${PYFACTS[request]}" dtstamp); s1=$(fact "${PYFACTS[update]}" dtstamp); s2=$(fact "${PYFACTS[cancel]}" dtstamp)
check "DTSTAMP rises with each message ($s0 < $s1 < $s2)" eval '[[ "$s0" < "$s1" && "$s1" < "$s2" ]]'
check "the update's subject says Updated, the cancel's Cancelled" \
    eval '[[ "$(fact "${PYFACTS[update]}" subject)" == Updated:* && "$(fact "${PYFACTS[cancel]}" subject)" == Cancelled:* ]]'
ids="$(fact "${PYFACTS[request]}" message_id) $(fact "${PYFACTS[update]}" message_id) $(fact "${PYFACTS[cancel]}" message_id)"
check "each message has its own Message-ID in the pod's domain ($ids)" \
    eval '[ "$(printf "%s\n" $ids | sort -u | grep -c "@pod-north.example>$")" -eq 3 ]'

# --- replies ----------------------------------------------------------------
# make_reply FILE ARGS...: an attendee's reply built by python3-icalendar
make_reply () {
    local out=$1; shift
    $PY "$ROOT/tests/check_invite.py" reply "$out" --uid "$MEETING_UID" --sequence 1 "$@" 2>&1
}

#        partstat  shape     attendee (as the client writes it)   name          organiser in reply
REPLIES="ACCEPTED  gmail     Jo.Reed@School.example               Jo_Reed       $ORGANISER
DECLINED  outlook   sian.llyr@health.example             Siân_Llŷr     -
TENTATIVE attached  PRIYA.SHAH@virtual-school.example     Priya_Shah    $ORGANISER"

while read -r partstat shape attendee name organiser; do
    name=${name//_/ }
    [ "$organiser" = - ] && organiser=""
    lower=$(printf '%s' "$attendee" | tr 'A-Z' 'a-z')
    file="$T/mail/reply-$partstat.eml"
    if ! OUT=$(make_reply "$file" --attendee "$attendee" --name "$name" --partstat "$partstat" --shape "$shape"); then
        not_ok "python3-icalendar builds a $partstat reply: $OUT"
        continue
    fi
    RF=$("$DRIVER" reply "$file" 2> "$T/reply.err"); rc=$?
    driver_clean "$T/reply.err"
    if [ $rc -ne 0 ]; then
        not_ok "$partstat reply ($shape) parsed: exit $rc: $RF $(cat "$T/reply.err")"
        continue
    fi
    expect_facts "$partstat reply ($shape): UID, SEQUENCE, DTSTAMP, attendee, PARTSTAT, From, Message-ID" "$RF" \
        uid="$MEETING_UID" sequence=1 dtstamp=2026-07-04T08:30:00Z attendee="$lower" \
        partstat="$partstat" organiser="$organiser" from="$lower" \
        message_id="reply-$(printf '%s' "$partstat" | tr 'A-Z' 'a-z')-$shape@mail.example"
done <<< "$REPLIES"

# expect_refused DESC REASON-REGEX FILE: the driver exits 2 naming the reason
expect_refused () {
    local desc=$1 re=$2 file=$3
    OUT=$("$DRIVER" reply "$file" 2> "$T/reply.err"); local rc=$?
    driver_clean "$T/reply.err"
    if [ $rc -eq 2 ] && printf '%s\n' "$OUT" | grep -Eq "^refused: ($re)"; then ok "$desc ($OUT)"
    else not_ok "$desc: wanted exit 2 with /$re/, got exit $rc: $OUT $(cat "$T/reply.err")"; fi
}

#        variant        reason
REFUSALS="not-ical      calendar part is not iCalendar
two-attendees  VEVENT has several ATTENDEEs
request        METHOD is not REPLY
no-calendar    message has no calendar part
garbage        not an email message|message has no calendar part"

while read -r variant reason; do
    file="$T/mail/refuse-$variant.eml"
    if OUT=$(make_reply "$file" --attendee jo.reed@school.example --name "Jo Reed" --partstat ACCEPTED --variant "$variant"); then
        expect_refused "a reply that is $variant is refused" "$reason" "$file"
    else
        not_ok "python builds the $variant reply: $OUT"
    fi
done <<< "$REFUSALS"

# an invite is not a reply either
expect_refused "our own REQUEST fed back as a reply is refused" "METHOD is not REPLY" "$T/mail/request.eml"

[ "$FAILS" -eq 0 ]
