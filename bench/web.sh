#!/bin/bash
# bench/web.sh BUILD - podweb figures (never pass/fail), run by `make bench`:
#   1. "my work" (TASK-LIST, scope mine) through podweb over HTTP keep-alive,
#      one client and 8 at once, beside podctl running the same command
#      (a process, a CURVE handshake and a request each) in the same run;
#   2. TASK-NEW (sent by an independent PODP client at WEB_RATE tasks/s) to
#      the task event arriving on a member's Server-Sent Events stream,
#      p50 / p99 / max;
#   3. podweb's memory (VmRSS) and threads with WEB_STREAMS open streams.
# Options: WEB_REQUESTS (2000) WEB_PODCTL (50) WEB_RATE (1000) WEB_SECONDS (2) WEB_STREAMS (500)
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
T=$(mktemp -d /tmp/podweb-bench.XXXXXX)
PODD_PID=""; WEB_PID=""
trap 'kill $WEB_PID $PODD_PID 2>/dev/null; wait 2>/dev/null; [ "${KEEP:-}" = 1 ] || rm -rf "$T"' EXIT
free_port () { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
for f in "$BUILD/podd" "$BUILD/podctl" "$BUILD/podweb"; do
    [ -x "$f" ] || { echo "bench/web: $f is missing: run make first" >&2; exit 1; }
done
EP="tcp://127.0.0.1:$(free_port)"
WP=$(free_port)
mkdir -p "$T/keys" "$T/certs"
sed -e "s|endpoint = .*|endpoint = \"$EP\"|" -e "s|database = .*|database = \"$T/podd.db\"|" \
    -e "s|certs = .*|certs = \"$T/certs\"|" -e "s|server-cert = .*|server-cert = \"$T/keys/podd.cert\"|" \
    -e "s|spool = .*|spool = \"$T/spool\"|" config/podd.conf > "$T/podd.conf"
cp config/standards.conf config/bank-holidays.conf "$T/"
for h in alice.tm dev.sw podweb; do
    "$BUILD/podctl" keygen "$h" --dir "$T/keys" > /dev/null && cp "$T/keys/$h.cert" "$T/certs/"
done
"$BUILD/podd" -f -c "$T/podd.conf" > "$T/podd.log" 2>&1 &
PODD_PID=$!
pc () { "$BUILD/podctl" -e "$EP" -k "$T/keys/$1.cert" -s "$T/keys/podd.cert" -t 10 "${@:2}"; }
for _ in $(seq 1 100); do pc alice.tm ping > /dev/null 2>&1 && break; sleep 0.1; done
pc alice.tm case open NC-1 --kind child --lead dev.sw > /dev/null
for i in $(seq 1 50); do pc alice.tm task new NC-1 --kind general --title "Seed task $i" > /dev/null; done
printf 'dev.sw dev.sw bench password\nalice.tm alice.tm bench password\n' | "$BUILD/podweb" -p "$T/passwords" passwords
ulimit -n 4096 2>/dev/null
"$BUILD/podweb" -l "127.0.0.1:$WP" -e "$EP" -k "$T/keys/podweb.cert" -s "$T/keys/podd.cert" \
    -p "$T/passwords" -w clients/web > "$T/web.log" 2>&1 &
WEB_PID=$!
for _ in $(seq 1 100); do grep -q serving "$T/web.log" && break; sleep 0.1; done

echo "== podweb benchmark: figures, not pass/fail ($(nproc) cores, load average now $(cut -d' ' -f1-3 /proc/loadavg))"
N=${WEB_PODCTL:-50}
start=$(date +%s.%N)
for _ in $(seq 1 "$N"); do pc dev.sw task list --mine > /dev/null; done
end=$(date +%s.%N)
PODCTL_RATE=$(awk -v n="$N" -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", n / (b - a) }')

/usr/bin/python3 - "$WP" "$EP" "$T" "$WEB_PID" "$PODCTL_RATE" <<'PYEOF'
import http.client, json, os, socket, statistics, sys, threading, time
sys.path.insert(0, "tests")
from podp_client import PodpClient
port, ep, tmp, web_pid, podctl_rate = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
REQUESTS = int(os.environ.get("WEB_REQUESTS", "2000"))
RATE = int(os.environ.get("WEB_RATE", "1000"))
SECONDS = float(os.environ.get("WEB_SECONDS", "2"))
STREAMS = int(os.environ.get("WEB_STREAMS", "500"))

def conn():
    return http.client.HTTPConnection("127.0.0.1", port, timeout=30)

def signin(handle):
    c = conn()
    c.request("POST", "/api/signin", json.dumps({"handle": handle, "password": handle + " bench password"}), {"Content-Type": "application/json"})
    r = c.getresponse(); body = json.loads(r.read())
    return r.getheader("Set-Cookie").split(";")[0], body["csrf"]

cookie, csrf = signin("dev.sw")
headers = {"Content-Type": "application/json", "Cookie": cookie, "X-CSRF-Token": csrf}

def my_work(n, out):
    h = conn()
    t0 = time.monotonic()
    for _ in range(n):
        h.request("POST", "/api/task-list", '{"scope":"mine"}', headers)
        resp = h.getresponse(); resp.read()
        assert resp.status == 200, resp.status
    out.append(n / (time.monotonic() - t0))

one = []; my_work(REQUESTS, one)
many = []; threads = [threading.Thread(target=my_work, args=(REQUESTS // 8, many)) for _ in range(8)]
[t.start() for t in threads]; [t.join() for t in threads]
print("web.my_work.one %.0f    (requests/s: podweb, one keep-alive client)" % one[0])
print("web.my_work.eight %.0f    (requests/s: podweb, 8 clients at once)" % sum(many))
print("web.my_work.podctl %.1f    (commands/s: podctl, the same TASK-LIST, a process each)" % podctl_rate)

# TASK-NEW -> SSE event
sent = {}; seen = {}
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(("GET /api/events HTTP/1.1\r\nHost: x\r\nCookie: %s\r\n\r\n" % cookie).encode())
buf = b""
while b"retry:" not in buf:
    buf += s.recv(65536)
done = threading.Event()
def reader():
    data = b""
    while not done.is_set():
        try:
            chunk = s.recv(1 << 20)
        except socket.timeout:
            continue
        if not chunk:
            break
        now = time.monotonic()
        data += chunk
        while b"\n\n" in data:
            event, data = data.split(b"\n\n", 1)
            for line in event.split(b"\n"):
                if line.startswith(b"data: ") and b"Bench " in line:
                    title = json.loads(line[6:])["task"]["title"]
                    seen.setdefault(title, now)
s.settimeout(0.5)
th = threading.Thread(target=reader); th.start()
alice = PodpClient(ep, tmp + "/keys/alice.tm.cert", tmp + "/keys/podd.cert", timeout=10)
total = int(RATE * SECONDS)
t0 = time.monotonic()
for i in range(total):
    due = t0 + i / RATE
    while time.monotonic() < due:
        time.sleep(0.0002)
    title = "Bench %d" % i
    sent[title] = time.monotonic()
    alice.send("TASK-NEW", {"case": "NC-1", "kind": "general", "title": title}, rid=i + 1)
    alice.drain(0)
deadline = time.monotonic() + 20
while len(seen) < total and time.monotonic() < deadline:
    alice.drain(0.05)
done.set(); th.join()
lat = sorted((seen[t] - sent[t]) * 1000 for t in seen if t in sent)
if lat:
    print("web.sse.count %d" % len(lat))
    print("web.sse.p50_ms %.2f    (TASK-NEW sent at %d/s -> its event on the stream)" % (lat[len(lat) // 2], RATE))
    print("web.sse.p99_ms %.2f" % lat[min(len(lat) - 1, int(len(lat) * 0.99))])
    print("web.sse.max_ms %.2f" % lat[-1])
print("web.sse.sent %d" % total)
s.close()

# memory with many open streams (alice.tm's: an empty mailbox, nothing replayed)
cookie, _ = signin("alice.tm")
def status(field):
    for line in open("/proc/%s/status" % web_pid):
        if line.startswith(field):
            return line.split()[1]
before = int(status("VmRSS"))
socks = []
for _ in range(STREAMS):
    x = socket.create_connection(("127.0.0.1", port), timeout=30)
    x.sendall(("GET /api/events HTTP/1.1\r\nHost: x\r\nCookie: %s\r\n\r\n" % cookie).encode())
    socks.append(x)
opened = 0
for x in socks:
    got = b""
    try:
        while b"retry:" not in got:
            chunk = x.recv(65536)
            if not chunk:
                break
            got += chunk
        opened += b"retry:" in got
    except socket.timeout:
        pass
print("web.streams.open %d" % opened)
print("web.streams.rss_mb %.1f    (podweb VmRSS with the streams open)" % (int(status("VmRSS")) / 1024))
print("web.streams.rss_before_mb %.1f" % (before / 1024))
print("web.streams.threads %s" % status("Threads"))
for x in socks:
    x.close()
PYEOF
