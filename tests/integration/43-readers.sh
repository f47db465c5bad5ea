# Reads beside the writer (issue 13, item 2): read requests are served by
# reader threads with their own read-only connections, not in the write
# batch. One connection's requests are still handled in order (a read
# after its own write sees it; a write after its own read is not seen by
# that read; replies come in request order); a long run of reads on one
# connection delays neither another connection's write nor its PING;
# unauthorised reads are still refused (and a 403 recorded in the audit
# trail); a reload while reads are out is safe.
. "$(dirname "$0")/../lib.sh"
CLIENT_DIR="$ROOT/tests"
sq () { sqlite3 -cmd '.timeout 5000' "$T/podd.db" "$@"; }

make_config -e 's|client-timeout = .*|client-timeout = 10000|'
keygen alice.tm dev.sw
# a key podd does not know: made, never registered
"$PODCTL" keygen stranger.x --dir "$T/keys" > /dev/null 2>&1
start_podd || { not_ok "podd starts"; exit 1; }
expect_out "a case led by dev.sw" "NC-1" pc alice.tm case open NC-1 --kind child --lead dev.sw
check "podd started its readers" grep -q "reader" "$T/podd.log"

# ---- a read after a write of the same connection sees it, in order ----
cat > "$T/order.py" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
from podp_client import PodpClient
ep, keys = sys.argv[2:4]
a = PodpClient(ep, keys + "/alice.tm.cert", keys + "/podd.cert", timeout=15)
a.request("PING")
out = {"seen": 0, "order": 0, "rounds": 30, "r1_blind": 0, "r3_sees": 0}
for i in range(out["rounds"]):
    # write then read, pipelined: the read must see the write
    w = a.send("TASK-NEW", {"case": "NC-1", "kind": "general", "title": "order-%d" % i})
    r = a.send("TASK-LIST", {"scope": "case", "case": "NC-1"})
    first = a.recv_reply(any_rid=True)
    second = a.recv_reply(any_rid=True)
    if first.get("rid") == w and second.get("rid") == r and first.get("status") == 201:
        out["order"] += 1
    titles = [t.get("title") for t in (second.get("data") or {}).get("items", [])]
    if "order-%d" % i in titles:
        out["seen"] += 1
# read, write, read: the first read does not see the write, the last does
for i in range(10):
    r1 = a.send("TASK-LIST", {"scope": "case", "case": "NC-1"})
    w = a.send("TASK-NEW", {"case": "NC-1", "kind": "general", "title": "between-%d" % i})
    r3 = a.send("TASK-LIST", {"scope": "case", "case": "NC-1"})
    got = [a.recv_reply(any_rid=True) for _ in range(3)]
    if [g.get("rid") for g in got] != [r1, w, r3]:
        continue
    t1 = [t.get("title") for t in (got[0].get("data") or {}).get("items", [])]
    t3 = [t.get("title") for t in (got[2].get("data") or {}).get("items", [])]
    out["r1_blind"] += "between-%d" % i not in t1
    out["r3_sees"] += "between-%d" % i in t3
# a read, 300 PINGs and WHOAMIs, a write, a read: every reply in request order
rids = [a.send("TASK-LIST", {"scope": "case", "case": "NC-1"})]
rids += [a.send("PING" if i % 2 else "WHOAMI") for i in range(300)]
rids += [a.send("TASK-NEW", {"case": "NC-1", "kind": "general", "title": "after-pings"})]
rids += [a.send("TASK-LIST", {"scope": "case", "case": "NC-1"})]
got = [a.recv_reply(any_rid=True) for _ in rids]
out["flood_in_order"] = [g.get("rid") for g in got] == rids
out["flood_ok"] = sum(g.get("status") in (200, 201) for g in got)
print(json.dumps(out))
PY
RES=$("$PY" "$T/order.py" "$CLIENT_DIR" "$EP" "$T/keys" 2>&1)
echo "# ordering on one connection: $RES"
field () { "$PY" -c 'import json,sys; print(eval("json.loads(sys.argv[1])" + sys.argv[2]))' "$RES" "$1" 2>/dev/null; }
check "a pipelined write and read are answered in order, 30 of 30 ($(field '["order"]'))" [ "$(field '["order"]')" = 30 ]
check "the read sees the write before it, 30 of 30 ($(field '["seen"]'))" [ "$(field '["seen"]')" = 30 ]
check "read, write, read: the first read does not see the write (10 of 10: $(field '["r1_blind"]'))" \
    [ "$(field '["r1_blind"]')" = 10 ]
check "... and the last one does (10 of 10: $(field '["r3_sees"]'))" [ "$(field '["r3_sees"]')" = 10 ]
check "a read, 300 PINGs and WHOAMIs, a write and a read pipelined: replies in request order" \
    [ "$(field '["flood_in_order"]')" = True ]
check "... every one of the 303 answered 2xx ($(field '["flood_ok"]'))" [ "$(field '["flood_ok"]')" = 303 ]

# ---- a long run of reads on one connection holds up nobody else ------
# enough tasks that a TASK-LIST is a real read (300 items)
"$PY" "$CLIENT_DIR/podp_client.py" -e "$EP" -k "$T/keys/alice.tm.cert" -s "$T/keys/podd.cert" -t 10 \
    burst --case NC-1 --kind general --prefix bulk --total 300 --window 100 --acked "$T/acked.txt" \
    --idle 15 --first-wait 15 --limit 90 > "$T/burst.out" 2>&1
check "300 tasks made for the reads ($(cat "$T/burst.out"))" [ "$(wc -l < "$T/acked.txt")" -ge 300 ]
cat > "$T/beside.py" <<'PY'
import json, sys, time
sys.path.insert(0, sys.argv[1])
from podp_client import PodpClient
ep, keys, n = sys.argv[2], sys.argv[3], int(sys.argv[4])
a = PodpClient(ep, keys + "/alice.tm.cert", keys + "/podd.cert", timeout=60)
b = PodpClient(ep, keys + "/alice.tm.cert", keys + "/podd.cert", timeout=60)
d = PodpClient(ep, keys + "/dev.sw.cert", keys + "/podd.cert", timeout=60)
for c in (a, b, d):
    c.request("PING")           # connected: the CURVE handshake is not measured
out = {}
t0 = time.monotonic()
rids = [a.send("TASK-LIST", {"scope": "case", "case": "NC-1"}) for _ in range(n)]
time.sleep(0.02)                # the reads are at podd first
# a write and a PING on two other connections, at the same moment
t = time.monotonic()
wb = b.send("TASK-NEW", {"case": "NC-1", "kind": "general", "title": "beside-reads"})
pd = d.send("PING")
pending = {"write": (b, wb), "ping": (d, pd)}
while pending and time.monotonic() - t < 60:
    for name, (c, rid) in list(pending.items()):
        c._pump(0.001)
        for reply in c.replies:
            if reply.get("rid") == rid:
                out[name] = [reply.get("status"), round((time.monotonic() - t) * 1000)]
                del pending[name]
statuses = [a.recv_reply(rid).get("status") for rid in rids]
out["reads"] = [sum(s == 200 for s in statuses), round((time.monotonic() - t0) * 1000)]
print(json.dumps(out))
PY
RES=$("$PY" "$T/beside.py" "$CLIENT_DIR" "$EP" "$T/keys" 20 2>&1)
echo "# 20 TASK-LISTs of 300+ tasks pipelined on one connection, then a write and a PING on others: $RES"
reads_ms=$(field '["reads"][1]')
check "the 20 reads answered 200 ($(field '["reads"]'))" [ "$(field '["reads"][0]')" = 20 ]
check "the other connection's write answered 201 ($(field '["write"]'))" [ "$(field '["write"][0]')" = 201 ]
# before readers, the write and the PING waited for the batch that ran
# the reads ahead of them (about half the reads' time here, or more)
check "the write did not wait for the reads: $(field '["write"][1]') ms, under a quarter of their $reads_ms ms" \
    [ "$(( $(field '["write"][1]') * 4 ))" -lt "${reads_ms:-0}" ]
check "a PING on a third connection neither: $(field '["ping"][1]') ms" \
    [ "$(( $(field '["ping"][1]') * 4 ))" -lt "${reads_ms:-0}" ]

# ---- refused reads stay refused, and recorded -------------------------
expect_err "a key podd does not know: a read is 401" 401 pc stranger.x task list --case NC-1
expect_err "a social worker reading the pod's audit trail: 403" 403 pc dev.sw audit
for _ in $(seq 1 50); do
    n=$(sq "SELECT COUNT(*) FROM audit WHERE action = 'refused' AND detail LIKE 'AUDIT-LIST -> 403%'")
    [ "${n:-0}" -ge 1 ] && break
    sleep 0.1
done
check "the 403 read is in the audit trail ($n row)" [ "${n:-0}" -ge 1 ]
expect_out "WHOAMI through a reader" "dev.sw" pc dev.sw whoami

# ---- a reload while reads are out -------------------------------------
"$PY" "$T/beside.py" "$CLIENT_DIR" "$EP" "$T/keys" 20 > "$T/reload.out" 2>&1 &
BG=$!
for _ in 1 2 3; do sleep 0.1; kill -HUP "$PODD_PID"; done
wait $BG
check "reads during three reloads all answered ($(cat "$T/reload.out"))" grep -q '"reads": \[20,' "$T/reload.out"
expect_out "podd serves after the reloads" "podd" pc alice.tm ping
finish
