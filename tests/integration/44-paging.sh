#!/usr/bin/env bash
# Bounded lists and batched ACKs (issue 13, PROTOCOL.md 8.1, 8.2-8.4):
# TASK-LIST, CASE-LIST and MEMBER-LIST come a page at a time ("limit",
# "after", "next"); paging through a list longer than a page sees each
# item exactly once and in the list's order; "limit" over the maximum and
# a cursor that is not one of the list are 422; podctl pages with --limit
# and --after and prints a "more:" line. ACK with "deliveries" acknowledges
# them all in one request (one commit), reports unknown and already
# acknowledged ids, and the single-id form still works.
. "$(dirname "$0")/../lib.sh"
CLIENT="$ROOT/tests/podp_client.py"

make_config
keygen alice.tm dev.sw erin.sw
start_podd || { not_ok "podd starts"; finish; exit 1; }

pc alice.tm case open NC-1 --kind child --lead dev.sw > /dev/null
for i in 2 3 4 5 6 7; do
    pc alice.tm case open "NC-$i" --kind child --lead erin.sw > /dev/null
done
# 230 tasks, offered to dev.sw (the lead): more than the default page of 200
"$PY" "$CLIENT" -e "$EP" -k "$T/keys/alice.tm.cert" -s "$T/keys/podd.cert" -t 5 \
    burst --case NC-1 --total 230 --window 50 --acked "$T/acked.txt" --idle 3 --limit 60 \
    > "$T/burst.out" 2>&1
check "230 tasks made ($(wc -l < "$T/acked.txt" 2>/dev/null) acknowledged)" \
    [ "$(sqlite3 "$T/podd.db" "SELECT COUNT (*) FROM tasks")" = 230 ]

OUT=$("$PY" - "$CLIENT" "$EP" "$T/keys" "$T/podd.db" <<'PYEOF'
import importlib.util, sqlite3, sys
spec = importlib.util.spec_from_file_location("podp_client", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
ep, keys, db = sys.argv[2], sys.argv[3], sys.argv[4]
def client(who):
    return m.PodpClient(ep, "%s/%s.cert" % (keys, who), "%s/podd.cert" % keys, timeout=5)
def show(desc, got, want):
    if got == want:
        print("ok - %s" % desc)
    else:
        print("not ok - %s (got %.300r, want %.300r)" % (desc, got, want))
tm, dev = client("alice.tm"), client("dev.sw")

def walk(c, command, body, limit, key):
    """Every page of a list: (items' keys, pages, error)"""
    seen, pages, after = [], 0, None
    while pages < 1000:
        b = dict(body, limit=limit)
        if after is not None:
            b["after"] = after
        s, r, d = c.request(command, b)
        if s != 200:
            return seen, pages, "%s %s" % (s, r)
        pages += 1
        seen += [item[key] for item in d["items"]]
        if len(d["items"]) > limit:
            return seen, pages, "a page of %d items, limit %d" % (len(d["items"]), limit)
        after = d["next"]
        if after is None:
            return seen, pages, None
    return seen, pages, "too many pages"

# Tasks of a case: in id order, 230 in pages of 7
ids = [r[0] for r in sqlite3.connect(db).execute("SELECT t.id FROM tasks t JOIN cases c ON c.id = t.case_id"
                                                 " WHERE c.ref = 'NC-1' ORDER BY t.id")]
seen, pages, err = walk(tm, "TASK-LIST", {"scope": "case", "case": "NC-1"}, 7, "id")
show("TASK-LIST case in pages of 7: no error", err, None)
show("TASK-LIST case: each of the %d tasks once, in id order, in %d pages" % (len(ids), pages),
     seen, ids)
show("TASK-LIST case: 33 pages of 7 for 230 tasks", pages, 33)
# dev.sw's own: the due order (the default due dates), each once
want = [r[0] for r in sqlite3.connect(db).execute("SELECT id FROM tasks WHERE assignee_id ="
        " (SELECT id FROM members WHERE handle = 'dev.sw') AND state IN ('open','offered','accepted')"
        " ORDER BY IFNULL (due, 1125899906842624), id")]
seen, pages, err = walk(dev, "TASK-LIST", {"scope": "mine"}, 50, "id")
show("TASK-LIST mine in pages of 50: each of %d once, in due order (%s)" % (len(want), err), seen, want)
seen, pages, err = walk(tm, "TASK-LIST", {"scope": "pod"}, 64, "id")
show("TASK-LIST pod in pages of 64: each of the 230 once (%s)" % err, sorted(seen), sorted(want))
# The default page and the maximum
s, r, d = tm.request("TASK-LIST", {"scope": "case", "case": "NC-1"})
show("TASK-LIST without limit: the default page of 200, and a next", (s, len(d["items"]), d["next"] is not None),
     (200, 200, True))
s, r, d = tm.request("TASK-LIST", {"scope": "case", "case": "NC-1", "limit": 1000})
show("TASK-LIST limit 1000 (the maximum): all 230, next null", (s, len(d["items"]), d["next"]), (200, 230, None))
s, r, d = tm.request("TASK-LIST", {"scope": "case", "case": "NC-1", "limit": 1001})
show("TASK-LIST limit 1001 (over the maximum) is 422 naming the field", (s, "'limit'" in r), (422, True))
s, r, d = tm.request("TASK-LIST", {"scope": "case", "case": "NC-1", "limit": 0})
show("TASK-LIST limit 0 is 422", s, 422)
s, r, d = tm.request("TASK-LIST", {"scope": "case", "case": "NC-1", "limit": "7"})
show("TASK-LIST limit as a string is 400", s, 400)
for bad in ["nonsense", "case:12", "case:x:5", "pod:0:5", "cases:NC-1", ""]:
    s, r, d = tm.request("TASK-LIST", {"scope": "case", "case": "NC-1", "after": bad})
    show("TASK-LIST case with cursor %r is 4xx" % bad, (s in (400, 422), s == 200), (True, False))
s, r, d = tm.request("TASK-LIST", {"scope": "case", "case": "NC-1", "limit": 5})
first = d["next"]
s, r, d = tm.request("TASK-LIST", {"scope": "pod", "after": first})
show("a case-scope cursor given to the pod scope is 422", s, 422)

# Cases: by ref, 7 in pages of 2
seen, pages, err = walk(tm, "CASE-LIST", {}, 2, "ref")
show("CASE-LIST in pages of 2: each case once, by ref, in 4 pages (%s)" % err,
     (seen, pages), (["NC-%d" % i for i in range(1, 8)], 4))
s, r, d = tm.request("CASE-LIST", {"after": "members:alice.tm"})
show("CASE-LIST with a member-list cursor is 422", s, 422)
s, r, d = tm.request("CASE-LIST", {"limit": 5000})
show("CASE-LIST limit 5000 is 422", s, 422)
# Members: by handle, pages of 3
want = [r[0] for r in sqlite3.connect(db).execute("SELECT handle FROM members WHERE pod_id ="
        " (SELECT pod_id FROM members WHERE handle = 'alice.tm') ORDER BY handle")]
seen, pages, err = walk(tm, "MEMBER-LIST", {}, 3, "handle")
show("MEMBER-LIST in pages of 3: each of the pod's %d members once, by handle (%s)" % (len(want), err),
     seen, want)
s, r, d = tm.request("MEMBER-LIST", {"after": "cases:NC-1"})
show("MEMBER-LIST with a case-list cursor is 422", s, 422)

# ACK: a list, in one request
s, r, d = dev.request("WATCH", {})
pending = d["pending"] if s == 200 else -1
show("dev.sw WATCHes with 230 deliveries pending", (s, pending), (200, 230))
got = []
while len(got) < 230:
    p = dev.recv_push(timeout=5)
    if not p:
        break
    got.append(p[1]["delivery"])
show("the first page of the replay: 230 pushes", len(got), 230)
con = sqlite3.connect(db)
def acked():
    return con.execute("SELECT COUNT (*) FROM mailbox WHERE acked IS NOT NULL").fetchone()[0]
before = acked()
s, r, d = dev.request("ACK", {"deliveries": got[:200] + [999999]})
show("ACK of 200 deliveries and an unknown one: 200", s, 200)
show("... reports 200 acked, none already, 999999 unknown",
     (len(d["acked"]), d["already"], d["unknown"]) if s == 200 else r, (200, [], [999999]))
show("... and the store has 200 more acknowledged", acked() - before, 200)
stamps = con.execute("SELECT COUNT (DISTINCT acked) FROM mailbox WHERE id IN (%s)"
                     % ",".join(str(x) for x in got[:200])).fetchone()[0]
show("... all at the one instant of one request", stamps, 1)
s, r, d = dev.request("ACK", {"deliveries": [got[0], got[200], got[200]]})
show("ACK of an acknowledged id, a new one twice: already, acked, already",
     (s, d and d["acked"], d and d["already"]), (200, [got[200]], [got[0], got[200]]))
s, r, d = dev.request("ACK", {"delivery": got[201]})
show("the single-id form still works", (s, d), (200, {"delivery": got[201]}))
s, r, d = dev.request("ACK", {"delivery": got[201]})
show("... and a second single ACK is still 409", s, 409)
s, r, d = dev.request("ACK", {"delivery": got[202], "deliveries": [got[203]]})
show("ACK with both forms is 400", s, 400)
s, r, d = dev.request("ACK", {"deliveries": []})
show("ACK of an empty list is 422", s, 422)
s, r, d = dev.request("ACK", {"deliveries": list(range(1, 1002))})
show("ACK of 1001 ids is 413", s, 413)
s, r, d = dev.request("ACK", {"deliveries": [got[202], "x"]})
show("ACK with a string in the list is 400", s, 400)
s, r, d = client("erin.sw").request("ACK", {"deliveries": got[202:204]})
show("another member's deliveries are unknown to erin.sw, not acknowledged",
     (s, d and d["unknown"], d and d["acked"]), (200, got[202:204], []))
show("nothing of dev.sw's acknowledged by erin.sw", acked() - before, 202)
PYEOF
)
PYRC=$?
printf '%s\n' "$OUT"
FAILS=$((FAILS + $(grep -c '^not ok' <<< "$OUT")))
check "the protocol checks ran to their end (python exit $PYRC)" [ $PYRC -eq 0 ]

# podctl: --limit, --after and the "more:" line
OUT=$(pc alice.tm case list --limit 3 2>&1)
NEXT=$(sed -n 's/^more: podctl case list \.\.\. --after //p' <<< "$OUT")
check "podctl case list --limit 3 prints 3 cases and a more: line ($NEXT)" \
    [ "$NEXT" = "cases:NC-3" ] && grep -q "NC-3" <<< "$OUT" && ! grep -q "NC-4" <<< "$OUT"
OUT=$(pc alice.tm case list --limit 3 --after "$NEXT" 2>&1)
check "podctl case list --after the cursor goes on at NC-4" grep -q "NC-4" <<< "$OUT"
OUT=$(pc alice.tm case list --limit 3 --after cases:NC-6 2>&1)
check "podctl case list: the last page has no more: line" [ "$(grep -c '^more:' <<< "$OUT")" = 0 ]
OUT=$(pc alice.tm task list --case NC-1 --limit 1001 2>&1); rc=$?
check "podctl task list --limit 1001 fails with podd's reason (exit $rc)" \
    [ $rc -ne 0 ] && grep -q "limit" <<< "$OUT"
OUT=$(pc alice.tm member list --after bogus 2>&1); rc=$?
check "podctl member list --after bogus fails (exit $rc): $OUT" [ $rc -ne 0 ] && grep -q "cursor" <<< "$OUT"
OUT=$(pc alice.tm task list --case NC-1 2>&1)
check "podctl task list: 200 rows by default, then more:" grep -q "^more: podctl task list ... --after case:" <<< "$OUT"

# podctl watch acknowledges what it printed (in batches)
pc alice.tm case open NC-8 --kind child --lead erin.sw > /dev/null
for i in 1 2 3 4 5; do pc alice.tm task new NC-8 --kind general --title "erin $i" > /dev/null; done
OUT=$(pc erin.sw watch --count 5 2>/dev/null)
check "podctl watch printed erin.sw's 5 tasks" [ "$(grep -c ' task ' <<< "$OUT")" = 5 ]
left=$(sqlite3 "$T/podd.db" "SELECT COUNT (*) FROM mailbox m JOIN members e ON e.id = m.member_id
                              WHERE e.handle = 'erin.sw' AND m.acked IS NULL")
check "and acknowledged all 5 before it ended ($left left)" [ "$left" = 0 ]
finish
