#!/usr/bin/env bash
# More bounded lists (issue 13, item 5; PROTOCOL.md 7.3): NOTICES,
# LEAVE-LIST, PARTNER-LIST, MAIL-QUEUE, CASE-TRANSFERS and the chronology
# of CASE-SHOW come a page at a time ("limit", "after", "next"). Walking
# the pages sees each item exactly once, in the list's order, also while
# rows are added; a request without "limit" gets the first page of 200 and
# a "next"; "limit" out of 1 .. 1000 and a cursor that is not one of the
# list are 422; podctl pages with --limit and --after and prints a "more:"
# line. At the end: LEAVE-LIST, LEAVE-SHOW, COVER-SHOW, NOTICES, HANDOVER,
# TASK-KINDS and CASE-TRANSFERS are served beside the writer (issue 13,
# item 2), while another program holds the write lock and writes wait.
. "$(dirname "$0")/../lib.sh"
CLIENT="$ROOT/tests/podp_client.py"

make_config
keygen alice.tm dev.sw erin.sw sam.tm
start_podd || { not_ok "podd starts"; finish; exit 1; }
for i in 1 2 3 4 5 6; do
    pc alice.tm case open "NC-$i" --kind child --lead dev.sw > /dev/null
done

OUT=$("$PY" - "$CLIENT" "$EP" "$T/keys" "$T/podd.db" <<'PYEOF'
import importlib.util, random, sqlite3, sys
spec = importlib.util.spec_from_file_location("podp_client", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
ep, keys, db = sys.argv[2], sys.argv[3], sys.argv[4]
def client(who):
    return m.PodpClient(ep, "%s/%s.cert" % (keys, who), "%s/podd.cert" % keys, timeout=10)
def show(desc, got, want):
    if got == want:
        print("ok - %s" % desc)
    else:
        print("not ok - %s (got %.300r, want %.300r)" % (desc, got, want))
def sql(query):
    return [r[0] for r in sqlite3.connect(db).execute(query)]
def many(c, requests):
    """Pipelined requests: their statuses"""
    rids = [c.send(command, body) for command, body in requests]
    return [c.recv_reply(rid).get("status") for rid in rids]
tm, dev, erin = client("alice.tm"), client("dev.sw"), client("erin.sw")
random.seed(45)

def walk(c, command, body, limit, key, items="items", next_field="next", between=None):
    """Every page of a list: (the items' keys, pages, error)"""
    seen, pages, after = [], 0, None
    while pages < 1000:
        b = dict(body, limit=limit)
        if after is not None:
            b["after"] = after
        s, r, d = c.request(command, b)
        if s != 200:
            return seen, pages, "%s %s" % (s, r)
        pages += 1
        page = d[items]
        if len(page) > limit:
            return seen, pages, "a page of %d items, limit %d" % (len(page), limit)
        seen += [key(item) for item in page]
        after = d[next_field]
        if after is None:
            return seen, pages, None
        if between:
            between(pages)
    return seen, pages, "too many pages"

def limits(c, command, body, name):
    """The limits of 7.3 and foreign or made-up cursors"""
    s, r, d = c.request(command, dict(body, limit=1001))
    show("%s limit 1001 (over the maximum) is 422 naming the field" % name, (s, "'limit'" in (r or "")), (422, True))
    s, r, d = c.request(command, dict(body, limit=0))
    show("%s limit 0 is 422" % name, s, 422)
    s, r, d = c.request(command, dict(body, limit="5"))
    show("%s limit as a string is 400" % name, s, 400)
    for bad in ["nonsense", "cases:NC-1", "members:alice.tm", "case:0:5", "notices:x", "leave:1",
                "partners:0", "mail:-3", "chronology:2026-01-01", "transfers:", ""]:
        s, r, d = c.request(command, dict(body, after=bad))
        show("%s with the cursor %r is 422, naming 'after'" % (name, bad), (s, "'after'" in (r or "")), (422, True))

# ---- NOTICES: alice.tm's, newest first -------------------------------
# dev.sw asks for 24 leaves (alice.tm gets a notice of each); erin.sw for
# 3 that start on the same days as three of dev.sw's
days = [3 * n for n in random.sample(range(1, 100), 24)]     # 2-day leaves, never adjacent
def day(n):
    import datetime
    return (datetime.date(2027, 1, 1) + datetime.timedelta(days=n)).isoformat()
statuses = many(dev, [("LEAVE-REQUEST", {"kind": "annual", "from": day(n), "to": day(n + 1)}) for n in days])
statuses += many(erin, [("LEAVE-REQUEST", {"kind": "training", "from": day(n), "to": day(n + 1)}) for n in days[:3]])
show("27 leave requests made", statuses, [201] * 27)
want = sql("SELECT id FROM notices WHERE member_id = (SELECT id FROM members WHERE handle = 'alice.tm')"
           " ORDER BY id DESC")
seen, pages, err = walk(tm, "NOTICES", {}, 5, lambda n: n["id"])
show("NOTICES in pages of 5: each of alice.tm's %d notices once, newest first (%s)" % (len(want), err),
     seen, want)
show("... in %d pages" % -(-len(want) // 5), pages, -(-len(want) // 5))
seen, pages, err = walk(tm, "NOTICES", {"kind": "leave-requested"}, 4, lambda n: (n["kind"], n["id"]))
show("NOTICES of one kind in pages of 4: only that kind, each once (%s)" % err,
     [i for k, i in seen], sql("SELECT id FROM notices WHERE kind = 'leave-requested' AND member_id ="
                               " (SELECT id FROM members WHERE handle = 'alice.tm') ORDER BY id DESC"))
# notices added while alice.tm pages: the ones there at the start, each once
def add_leave(page):
    many(dev, [("LEAVE-REQUEST", {"kind": "annual", "from": day(400 + page * 3), "to": day(401 + page * 3)})])
seen, pages, err = walk(tm, "NOTICES", {}, 6, lambda n: n["id"], between=add_leave)
show("NOTICES while new ones come: every one there at the start once, newest first (%s)" % err,
     seen, want)
limits(tm, "NOTICES", {}, "NOTICES")

# ---- LEAVE-LIST: latest start first, then the latest id --------------
want = sql("SELECT id FROM absences ORDER BY starts DESC, id DESC")
seen, pages, err = walk(tm, "LEAVE-LIST", {}, 4, lambda a: a["id"])
show("LEAVE-LIST in pages of 4: each of the pod's %d absences once, latest start first,"
     " ties by id (%s)" % (len(want), err), seen, want)
ties = sql("SELECT COUNT (*) FROM (SELECT starts FROM absences GROUP BY starts HAVING COUNT (*) > 1)")[0]
show("... 3 starts shared by two absences are among them", ties >= 3, True)
seen, pages, err = walk(tm, "LEAVE-LIST", {"member": "erin.sw"}, 1, lambda a: a["id"])
show("LEAVE-LIST of erin.sw in pages of 1: her 3 absences, in 3 pages (%s)" % err,
     (seen, pages), (sql("SELECT id FROM absences WHERE member_id = (SELECT id FROM members"
                         " WHERE handle = 'erin.sw') ORDER BY starts DESC, id DESC"), 3))
s, r, d = tm.request("LEAVE-LIST", {"status": "requested"})
show("LEAVE-LIST without limit: one page (under 200) and next null",
     (s, len(d["items"]) if s == 200 else r, d and d["next"]), (200, len(sql("SELECT id FROM absences"
     " WHERE status = 'requested'")), None))
limits(tm, "LEAVE-LIST", {}, "LEAVE-LIST")

# ---- PARTNER-LIST: by agency, name, then id; 205 of them ---------------
agencies = ["Ash School", "Beech Surgery", "Cedar Police", "Virtual School"]
names = ["Pat Head", "Sam Nurse", "Lee Officer", "Kim Lead"]
reqs = []
for i in range(205):
    reqs.append(("PARTNER-ADD", {"agency": agencies[i % 4], "agency_kind": "other",
                                 "name": names[(i // 4) % 4], "email": "p%03d@partners.example" % i}))
show("205 partners added", many(tm, reqs), [201] * 205)
want = sql("SELECT email FROM partners ORDER BY agency, name, id")
seen, pages, err = walk(tm, "PARTNER-LIST", {}, 17, lambda p: p["email"])
show("PARTNER-LIST in pages of 17: each of %d partners once, by agency and name (%s)" % (len(want), err),
     seen, want)
s, r, d = tm.request("PARTNER-LIST", {})
show("PARTNER-LIST without limit (an old client): the first 200 and a next",
     (s, len(d["items"]), d["next"] is not None), (200, 200, True))
s, r, d2 = tm.request("PARTNER-LIST", {"after": d["next"]})
show("... and the next page: the other 5, next null", (s, [p["email"] for p in d["items"] + d2["items"]],
     d2["next"]), (200, want, None))
s, r, d = tm.request("PARTNER-LIST", {"limit": 1000})
show("PARTNER-LIST limit 1000 (the maximum): all 205, next null", (s, len(d["items"]), d["next"]), (200, 205, None))
# partners added while alice.tm pages: each one there at the start is seen once
added = []
def add_partner(page):
    email = "late%d@partners.example" % page
    added.append(email)
    many(tm, [("PARTNER-ADD", {"agency": "Ash School", "agency_kind": "school", "name": "Aa Late",
                                "email": email})])
seen, pages, err = walk(tm, "PARTNER-LIST", {}, 50, lambda p: p["email"], between=add_partner)
show("PARTNER-LIST while partners are added: each one there at the start once, in order (%s)" % err,
     [e for e in seen if e not in added], want)
show("... and nothing twice", len(seen), len(set(seen)))
# a case's partners
many(tm, [("PARTNER-LINK", {"case": "NC-1", "partner": "p%03d@partners.example" % i}) for i in range(0, 30, 3)])
seen, pages, err = walk(tm, "PARTNER-LIST", {"case": "NC-1"}, 3, lambda p: p["email"])
show("PARTNER-LIST of a case in pages of 3: its 10 partners, in order (%s)" % err,
     seen, sql("SELECT p.email FROM partners p JOIN case_partners c ON c.partner_id = p.id"
               " JOIN cases k ON k.id = c.case_id WHERE k.ref = 'NC-1' ORDER BY p.agency, p.name, p.id"))
s, r, d = tm.request("PARTNER-LIST", {"after": "partners:999999"})
show("PARTNER-LIST after a partner that does not exist is 422", s, 422)
limits(tm, "PARTNER-LIST", {}, "PARTNER-LIST")

# ---- CASE-SHOW: the chronology, newest first a page at a time ----------
dates = ["2026-%02d-%02d" % (random.randint(1, 10), random.randint(1, 28)) for _ in range(20)]
dates += dates[:4]          # four dates twice: ties, kept in id order
statuses = many(dev, [("CASE-NOTE", {"ref": "NC-2", "text": "note %d" % i, "kind": "note", "date": d})
                      for i, d in enumerate(dates)])
show("24 chronology notes on NC-2", statuses, [201] * 24)
want = sql("SELECT c.id FROM chronology c JOIN cases k ON k.id = c.case_id WHERE k.ref = 'NC-2'"
           " ORDER BY c.entry_date DESC, c.id DESC")
pages_seen = []
seen, pages, err = walk(tm, "CASE-SHOW", {"ref": "NC-2"}, 5, lambda e: (e["date"], e["id"]),
                        items="chronology", next_field="chronology_next")
# each page reads oldest first; the pages go back in time
flat, i = [], 0
while i < len(seen):
    flat += list(reversed(seen[i:i + 5]))
    i += 5
show("CASE-SHOW in pages of 5: each of NC-2's %d entries once, pages going back in time (%s)"
     % (len(want), err), [x[1] for x in flat], want)
show("... each page oldest first", all(seen[k:k + 5] == sorted(seen[k:k + 5]) for k in range(0, len(seen), 5)),
     True)
s, r, d = tm.request("CASE-SHOW", {"ref": "NC-2"})
show("CASE-SHOW without limit: the case and its whole chronology (under 200), next null",
     (s, d["ref"], len(d["chronology"]), d["chronology_next"]), (200, "NC-2", len(want), None))
s, r, d = tm.request("CASE-SHOW", {"ref": "NC-2", "limit": 3})
s2, r, d2 = tm.request("CASE-SHOW", {"ref": "NC-3", "after": d["chronology_next"]})
show("a cursor of NC-2's chronology is no cursor of NC-3's: the page is empty or 422",
     s2 == 422 or d2["chronology"] == [], True)
limits(tm, "CASE-SHOW", {"ref": "NC-2"}, "CASE-SHOW")

# ---- MAIL-QUEUE: newest first ------------------------------------------
reqs = []
for i in range(7):
    reqs.append(("TASK-NEW", {"case": "NC-1", "kind": "stability-meeting", "title": "Meeting %d" % i,
                              "due": "2027-07-15"}))
tasks = []
for command, body in reqs:
    s, r, d = tm.request(command, body)
    if s == 201:
        tasks.append(d["id"])
many(dev, [("TASK-ACCEPT", {"task": t}) for t in tasks])
statuses = many(dev, [("MEETING-SCHEDULE", {"task": t, "start": "2027-07-15T10:00", "end": "2027-07-15T11:00",
                                            "location": "Room 2", "invite": ["p000@partners.example"]})
                      for t in tasks])
show("7 meetings scheduled", statuses, [201] * 7)
want = sql("SELECT id FROM outbox ORDER BY id DESC")
seen, pages, err = walk(tm, "MAIL-QUEUE", {}, 2, lambda o: o["id"])
show("MAIL-QUEUE in pages of 2: each of the %d messages once, newest first (%s)" % (len(want), err),
     seen, want)
show("... at least 7 messages", len(want) >= 7, True)
s, r, d = tm.request("MAIL-QUEUE", {"limit": 2})
show("each page has the counts of the whole queue", sum(d["counts"].values()) if s == 200 else r, len(want))
limits(tm, "MAIL-QUEUE", {}, "MAIL-QUEUE")

# ---- CASE-TRANSFERS: newest first --------------------------------------
for ref in ["NC-3", "NC-4", "NC-5", "NC-6"]:
    s, r, d = tm.request("CASE-TRANSFER", {"ref": ref, "to_pod": "south"})
    show("a transfer of %s asked for" % ref, (s, r) if s != 201 else s, 201)
want = sql("SELECT id FROM case_transfers ORDER BY id DESC")
seen, pages, err = walk(tm, "CASE-TRANSFERS", {}, 3, lambda t: t["id"])
show("CASE-TRANSFERS in pages of 3: each of the 4 once, newest first (%s)" % err, (seen, pages), (want, 2))
limits(tm, "CASE-TRANSFERS", {}, "CASE-TRANSFERS")
PYEOF
)
PYRC=$?
printf '%s\n' "$OUT"
FAILS=$((FAILS + $(grep -c '^not ok' <<< "$OUT")))
check "the protocol checks ran to their end (python exit $PYRC)" [ $PYRC -eq 0 ]

# ---- podctl: --limit, --after and the "more:" line ---------------------
# more_walk CMD...: page through with --limit 3, following the more: lines;
# prints the pages' output, and "PAGES n" at the end
more_walk () {
    local out next="" pages=0
    while [ $pages -lt 200 ]; do
        if [ -n "$next" ]; then out=$(pc alice.tm "$@" --limit 3 --after "$next" 2>&1) || { echo "FAILED $out"; return; }
        else out=$(pc alice.tm "$@" --limit 3 2>&1) || { echo "FAILED $out"; return; }; fi
        pages=$((pages + 1))
        printf '%s\n' "$out"
        next=$(sed -n 's/^more: podctl .* \.\.\. --after //p' <<< "$out")
        [ -z "$next" ] && break
    done
    echo "PAGES $pages"
}
n=$(sqlite3 "$T/podd.db" "SELECT COUNT (*) FROM notices WHERE member_id = (SELECT id FROM members WHERE handle = 'alice.tm')")
OUT=$(pc alice.tm notices --limit 3 2>&1)
check "podctl notices --limit 3: a more: line with a notices cursor" grep -q '^more: podctl notices \.\.\. --after notices:' <<< "$OUT"
OUT=$(more_walk notices)
check "podctl notices, following more: lines: all $n notices in $(( (n + 2) / 3 )) pages ($(tail -1 <<< "$OUT"))" \
    [ "$(grep -c 'leave' <<< "$OUT")" -ge "$n" ] && [ "$(tail -1 <<< "$OUT")" = "PAGES $(( (n + 2) / 3 ))" ]
n=$(sqlite3 "$T/podd.db" "SELECT COUNT (*) FROM absences")
OUT=$(more_walk leave list)
check "podctl leave list, following more: lines: $n absences in $(( (n + 2) / 3 )) pages ($(tail -1 <<< "$OUT"))" \
    [ "$(tail -1 <<< "$OUT")" = "PAGES $(( (n + 2) / 3 ))" ] && ! grep -q FAILED <<< "$OUT"
OUT=$(pc alice.tm partner list --limit 3 2>&1)
check "podctl partner list --limit 3: three partners and a more: line" \
    [ "$(grep -c '@partners.example' <<< "$OUT")" = 3 ] && grep -q '^more: podctl partner list \.\.\. --after partners:' <<< "$OUT"
OUT=$(more_walk mail queue)
n=$(sqlite3 "$T/podd.db" "SELECT COUNT (*) FROM outbox WHERE pod_id = (SELECT pod_id FROM members WHERE handle = 'alice.tm')")
check "podctl mail queue, following more: lines: $n messages in $(( (n + 2) / 3 )) pages ($(tail -1 <<< "$OUT"))" \
    [ "$(tail -1 <<< "$OUT")" = "PAGES $(( (n + 2) / 3 ))" ] && ! grep -q FAILED <<< "$OUT"
OUT=$(pc alice.tm case show NC-2 --limit 3 2>&1)
NEXT=$(sed -n 's/^more: podctl case show \.\.\. --after //p' <<< "$OUT")
entries () { sed -n 's/^  \([0-9][0-9]*\)  .*/\1/p' <<< "$1" | sort; }
check "podctl case show NC-2 --limit 3: the newest 3 entries and a more: line ($NEXT)" \
    [ "$(entries "$OUT" | wc -l)" = 3 ] && grep -q '^chronology:' <<< "$OUT" && [ -n "$NEXT" ]
OUT2=$(pc alice.tm case show NC-2 --limit 3 --after "$NEXT" 2>&1)
check "podctl case show --after: three older entries, none of the first page" \
    [ "$(entries "$OUT2" | wc -l)" = 3 ] && [ -z "$(comm -12 <(entries "$OUT") <(entries "$OUT2"))" ]
OUT=$(pc alice.tm case transfers --status all --limit 3 2>&1)
check "podctl case transfers --limit 3: a more: line" grep -q '^more: podctl case transfers \.\.\. --after transfers:' <<< "$OUT"
OUT=$(pc alice.tm mail queue --limit 5000 2>&1); rc=$?
check "podctl mail queue --limit 5000 fails with podd's reason (exit $rc)" [ $rc -ne 0 ] && grep -q "limit" <<< "$OUT"
OUT=$(pc alice.tm leave list --after bogus 2>&1); rc=$?
check "podctl leave list --after bogus fails (exit $rc): $OUT" [ $rc -ne 0 ] && grep -q "cursor" <<< "$OUT"

# ---- reads beside the writer (issue 13, item 2) ------------------------
# While another program holds the database's write lock, podd holds writes
# (section 16) but its readers go on: each of these reads is answered 200
# while the lock is still held, before a write sent first on another
# connection, which is answered once the lock is gone.
cat > "$T/locker.py" <<'PY'
import sqlite3, sys, time
db, flag, hold = sys.argv[1], sys.argv[2], float(sys.argv[3])
c = sqlite3.connect(db, isolation_level=None, timeout=10)
c.execute("BEGIN EXCLUSIVE")
c.execute("CREATE TABLE IF NOT EXISTS locker_probe (x)")
open(flag, "w").write("locked\n")
time.sleep(hold)
c.execute("ROLLBACK")
c.close()
PY
cat > "$T/beside.py" <<'PY'
import json, os, subprocess, sys, time
sys.path.insert(0, sys.argv[1])
from podp_client import PodpClient
ep, keys, locker, db, flag = sys.argv[2:7]
a = PodpClient(ep, keys + "/alice.tm.cert", keys + "/podd.cert", timeout=10)
d = PodpClient(ep, keys + "/dev.sw.cert", keys + "/podd.cert", timeout=10)
a.request("PING"); d.request("PING")
lock = subprocess.Popen([sys.executable, locker, db, flag, "3"])
for _ in range(100):
    if os.path.exists(flag): break
    time.sleep(0.05)
w = d.send("TASK-NEW", {"case": "NC-1", "kind": "general", "title": "while-locked"})
out = {}
for command, body in [("LEAVE-LIST", {"limit": 5}), ("LEAVE-SHOW", {"absence": 1}), ("COVER-SHOW", {"absence": 1}),
                      ("NOTICES", {"limit": 5}), ("HANDOVER", {"absence": 1}), ("TASK-KINDS", {}),
                      ("CASE-TRANSFERS", {"status": "all"})]:
    status, reason, _ = a.request(command, body)
    out[command] = [status, lock.poll() is None]
reply = d.recv_reply(w)
out["write"] = [reply.get("status"), lock.poll() is None]
lock.wait()
print(json.dumps(out))
PY
rm -f "$T/locked.flag"
RES=$("$PY" "$T/beside.py" "$ROOT/tests" "$EP" "$T/keys" "$T/locker.py" "$T/podd.db" "$T/locked.flag" 2>&1)
echo "# [status, lock still held] while another program held the write lock for 3 s: $RES"
for c in LEAVE-LIST LEAVE-SHOW COVER-SHOW NOTICES HANDOVER TASK-KINDS CASE-TRANSFERS; do
    check "$c answered 200 while the write lock was held" \
        [ "$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))' "$RES" $c 2>&1)" = "[200, True]" ]
done
check "the write sent before them was answered 201 once the lock was gone" \
    [ "$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1]).get("write"))' "$RES" 2>&1)" = "[201, False]" ]
finish
