#!/usr/bin/env bash
# Gateway identity (PROTOCOL.md 4.4): a key listed in podd.conf's gateways
# section (podweb's) may name with "as" the member a request is for; podd
# authorises as that member and the audit names both. Every other key is
# its own member and gets 403 for "as". Driven by tests/podp_client.py.
. "$(dirname "$0")/../lib.sh"
CLIENT="$ROOT/tests/podp_client.py"

make_config   # the shipped podd.conf lists gateway "podweb"
keygen alice.tm dev.sw erin.sw tara.sw podweb
start_podd || { not_ok "podd did not start"; finish; exit 1; }

# a gateway that is also a member handle is refused by podd -n, with its line
sed 's/gateway = "podweb"/gateway = "dev.sw"/' "$T/podd.conf" > "$T/bad.conf"
OUT=$("$PODD" -n -c "$T/bad.conf" 2>&1)
check "podd -n refuses a gateway named like a member ($OUT)" grep -Eq "bad.conf:[0-9]+: gateway 'dev.sw' is a member" <<< "$OUT"

pc alice.tm case open NC-1 --kind child --lead dev.sw --coworker erin.sw > /dev/null
pc alice.tm case open NC-9 --kind child --lead erin.sw > /dev/null

OUT=$("$PY" - "$CLIENT" "$EP" "$T/keys" <<'PYEOF'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("podp_client", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
ep, keys = sys.argv[2], sys.argv[3]
def client(who):
    return m.PodpClient(ep, "%s/%s.cert" % (keys, who), "%s/podd.cert" % keys, timeout=5)
def show(desc, got, want):
    print(("ok - " if got == want else "not ok - ") + "%s (got %r, want %r)" % (desc, got, want))
gw = client("podweb")
s, r, d = gw.request("WHOAMI", {"as": "dev.sw"})
show("gateway WHOAMI as dev.sw is dev.sw", (s, d and d.get("handle")), (200, "dev.sw"))
s, r, d = gw.request("PING", {})
show("gateway without 'as' is 401", s, 401)
s, r, d = gw.request("PING", {"as": "nobody.sw"})
show("gateway 'as' an unknown member is 401", s, 401)
s, r, d = gw.request("CASE-SHOW", {"ref": "NC-1", "as": "tara.sw"})
show("gateway as a south member cannot see a north case (403)", s, 403)
s, r, d = gw.request("CASE-SHOW", {"ref": "NC-1", "as": "erin.sw"})
show("gateway as erin.sw sees her pod's case", s, 200)
dev = client("dev.sw")
s, r, d = dev.request("WHOAMI", {"as": "alice.tm"})
show("a member key naming another member with 'as' is 403", s, 403)
s, r, d = dev.request("WHOAMI", {"as": "dev.sw"})
show("a member key naming itself with 'as' is 403 too", s, 403)
s, r, d = dev.request("WHOAMI", {})
show("the member key without 'as' is still itself", (s, d and d.get("handle")), (200, "dev.sw"))
# a watching gateway connection carries one member's pushes and stays theirs
watch = client("podweb")
s, r, d = watch.request("WATCH", {"as": "dev.sw"})
show("gateway WATCH as dev.sw", s, 200)
s, r, d = gw.request("TASK-NEW", {"as": "alice.tm", "case": "NC-1", "kind": "general", "title": "Via the gateway"})
show("gateway TASK-NEW as alice.tm", s, 201)
push = watch.recv_push(timeout=5)
title = push and push[1].get("task", {}).get("title")
show("the task is pushed to dev.sw's gateway watch", title, "Via the gateway")
s, r, d = watch.request("WHOAMI", {"as": "alice.tm"})
show("the watching gateway connection refuses another member (409)", s, 409)
s, r, d = watch.request("ACK", {"as": "dev.sw", "delivery": push[1]["delivery"]} if push else {"as": "dev.sw", "delivery": 0})
show("dev.sw's delivery acknowledged through the gateway", s, 200)
PYEOF
)
printf '%s\n' "$OUT"
row=$(sqlite3 "$T/podd.db" "SELECT m.handle || ' ' || a.connection FROM audit a JOIN members m ON m.id = a.actor_id WHERE a.action LIKE 'task%' ORDER BY a.id DESC LIMIT 1" 2>&1)
check "the audit names the member and the gateway ($row)" grep -Eq '^alice.tm gateway:podweb curve:' <<< "$row"
finish
