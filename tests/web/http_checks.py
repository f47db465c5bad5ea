#!/usr/bin/python3
"""http_checks.py - podweb's HTTP behaviour with bad and good input, for
tests/integration/97-web.sh. Talks raw HTTP/1.1 (http.client and plain
sockets) to a real podweb in front of a real podd. Prints ok / not ok.

usage: http_checks.py BASE_URL SHORT_URL PODWEB_BIN PASSWORD_FILE SSO_URL SSO_ELSEWHERE_URL
  BASE_URL   podweb with --max-body 4096 --client-timeout 2
  SHORT_URL  podweb with --idle 2 (session expiry)
  SSO_URL    podweb trusting X-Remote-User from 127.0.0.1
  SSO_ELSEWHERE_URL  podweb trusting X-Remote-User from another address only
"""
import http.client
import json
import socket
import subprocess
import sys
import time
import urllib.parse

BASE, SHORT, PODWEB, PWFILE, SSO, SSO_ELSEWHERE = sys.argv[1:7]
FAILS = 0


def check(desc, cond, detail=""):
    global FAILS
    if cond:
        print("ok - " + desc)
    else:
        FAILS += 1
        print("not ok - %s %s" % (desc, detail))


def request(base, method, path, body=None, headers=None, raw_body=None):
    u = urllib.parse.urlparse(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=15)
    h = dict(headers or {})
    data = raw_body
    if body is not None:
        data = json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    text = r.read()
    c.close()
    try:
        js = json.loads(text)
    except ValueError:
        js = None
    return r.status, r.getheaders(), js, text


def header(headers, name):
    for k, v in headers:
        if k.lower() == name.lower():
            return v
    return None


def raw(base, data, timeout=10):
    u = urllib.parse.urlparse(base)
    s = socket.create_connection((u.hostname, u.port), timeout=timeout)
    s.sendall(data)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except socket.timeout:
        pass
    s.close()
    return out


def signin(base, handle, password):
    st, hd, js, _ = request(base, "POST", "/api/signin", {"handle": handle, "password": password})
    cookie = header(hd, "Set-Cookie") or ""
    return st, cookie, (js or {}).get("csrf"), hd


def api(base, cookie, csrf, name, body=None):
    h = {"Cookie": cookie.split(";")[0]}
    if csrf:
        h["X-CSRF-Token"] = csrf
    return request(base, "POST", "/api/" + name, body if body is not None else {}, h)


# static files
st, hd, _, text = request(BASE, "GET", "/")
csp = header(hd, "Content-Security-Policy") or ""
check("GET / serves the page (%d)" % st, st == 200 and b"<html" in text)
check("the page has a strict CSP without inline script", "script-src 'self'" in csp
      and "unsafe-inline" not in csp and "default-src 'none'" in csp, csp)
check("nosniff and no framing", header(hd, "X-Content-Type-Options") == "nosniff"
      and header(hd, "X-Frame-Options") == "DENY")
st, hd, _, _ = request(BASE, "GET", "/app.js")
check("a JS module is served as text/javascript", st == 200
      and (header(hd, "Content-Type") or "").startswith("text/javascript"))
for path in ["/nope.html", "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
             "/js/..%2f..%2fMakefile.txt", "/.hidden.js", "//etc/passwd", "/index.html%00.js",
             "/app.js/", "/a%5cb.js"]:
    out = raw(BASE, ("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
    check("path %s is not served (%r)" % (path, out[:12]), out.startswith(b"HTTP/1.1 404")
          or out.startswith(b"HTTP/1.1 400"))
st, hd, js, _ = request(BASE, "POST", "/", raw_body=b"x", headers={"Content-Type": "text/plain"})
check("POST / is 405 with Allow (%d)" % st, st == 405 and "GET" in (header(hd, "Allow") or ""))
st, hd, js, _ = request(BASE, "DELETE", "/index.html")
check("DELETE is 405 (%d)" % st, st == 405)

# API routes and methods
st, hd, js, _ = request(BASE, "GET", "/api/task-list")
check("GET on a command is 405 with Allow: POST (%d)" % st, st == 405 and header(hd, "Allow") == "POST")
st, hd, js, _ = request(BASE, "POST", "/api/no-such-command", {})
check("an unknown API route is 404 (%d)" % st, st == 404)
for name in ["watch", "heartbeat", "ingest-mail", "TASK-LIST", "task_list", "../task-list"]:
    st, _, _, _ = request(BASE, "POST", "/api/" + name, {})
    check("/api/%s is not a route (%d)" % (name, st), st == 404)
st, _, _, _ = request(BASE, "POST", "/api/session", {})
check("POST /api/session is 405 (%d)" % st, st == 405)

# sign-in
st, cookie, csrf, hd = signin(BASE, "dev.sw", "wrong password here")
check("a wrong password is 401 and sets no cookie (%d)" % st, st == 401 and not cookie)
st, cookie, csrf, hd = signin(BASE, "nobody.sw", "whatever it is")
check("an unknown account is 401 (%d)" % st, st == 401)
st, _, js, _ = request(BASE, "POST", "/api/signin", raw_body=b'{"handle":', headers={"Content-Type": "application/json"})
check("malformed JSON is 400 (%d %s)" % (st, js), st == 400 and "malformed JSON" in json.dumps(js))
st, _, js, _ = request(BASE, "POST", "/api/signin", raw_body=b'[1,2]', headers={"Content-Type": "application/json"})
check("a JSON array is 400 (%d)" % st, st == 400)
st, _, js, _ = request(BASE, "POST", "/api/signin", raw_body=b'{"handle":"a","handle":"b"}', headers={"Content-Type": "application/json"})
check("duplicate JSON names are 400 (%d)" % st, st == 400)
st, _, js, _ = request(BASE, "POST", "/api/signin", raw_body=b'handle=dev.sw', headers={"Content-Type": "application/x-www-form-urlencoded"})
check("a form post is 415 (%d)" % st, st == 415)
st, _, js, _ = request(BASE, "POST", "/api/signin", raw_body=b'{"x":"' + b"a" * 5000 + b'"}', headers={"Content-Type": "application/json"})
check("a body over --max-body is 413 (%d)" % st, st == 413)
out = raw(BASE, b"POST /api/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
          b"".join(b"%x\r\n%s\r\n" % (1000, b"a" * 1000) for _ in range(6)) + b"0\r\n\r\n")
check("a chunked body over --max-body is 413 (%r)" % out[:12], out.startswith(b"HTTP/1.1 413"))

st, cookie, csrf, hd = signin(BASE, "dev.sw", "dev.sw password 1")
check("sign-in as dev.sw (%d)" % st, st == 200 and csrf and len(csrf) == 64)
check("the cookie is HttpOnly, SameSite=Strict, 256-bit (%s)" % cookie[:20],
      "HttpOnly" in cookie and "SameSite=Strict" in cookie and len(cookie.split(";")[0]) == len("podweb=") + 64)
st, _, js, _ = api(BASE, cookie, None, "task-list", {"scope": "mine"})
check("a command without the CSRF token is 403 (%d)" % st, st == 403)
st, _, js, _ = api(BASE, cookie, "0" * 64, "task-list", {"scope": "mine"})
check("a command with a wrong CSRF token is 403 (%d)" % st, st == 403)
st, _, js, _ = api(BASE, cookie, csrf, "task-list", {"scope": "mine"})
check("TASK-LIST through podweb (%d)" % st, st == 200 and "items" in (js or {}))
st, _, js, _ = api(BASE, cookie, csrf, "whoami", {"as": "alice.tm"})
check("'as' from the browser is 400 (%d)" % st, st == 400)
st, _, js, _ = api(BASE, cookie, csrf, "task-list", {"scope": "nonsense"})
check("podd's 422 passes through (%d)" % st, st == 422)
st, _, js, _ = api(BASE, cookie, csrf, "task-list", {"bogus": 1})
check("podd's 400 for an unknown field passes through (%d)" % st, st == 400)
st, _, js, _ = api(BASE, cookie, csrf, "case-show", {"ref": "SC-3001"})
check("dev.sw (north) cannot read a south case (%d)" % st, st == 403)
st, _, js, _ = api(BASE, cookie, csrf, "member-add", {"handle": "xan.sw", "name": "Xan Ode", "email": "xan.sw@pod-north.example", "role": "social-worker", "pod": "north"})
check("dev.sw cannot add members through podweb (%d %s)" % (st, js), st == 403)
st, _, js, _ = request(BASE, "POST", "/api/task-list", {}, {"Cookie": "podweb=" + "a" * 64, "X-CSRF-Token": csrf})
check("a made-up session id is 401 (%d)" % st, st == 401)

# header injection: nothing of the request comes back as a header
out = raw(BASE, b"GET /%0d%0aSet-Cookie:%20evil=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
check("CR LF in the path is 404 and injects no header", out.startswith(b"HTTP/1.1 404") and b"evil" not in out.split(b"\r\n\r\n")[0])
for name, request_bytes in [
        ("a bare CR in a header", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rInjected: 1\r\nConnection: close\r\n\r\n"),
        ("an obs-folded header", b"GET / HTTP/1.1\r\nHost: x\r\n Injected: 1\r\nConnection: close\r\n\r\n"),
        ("a cookie with CR LF junk", b"GET /api/session HTTP/1.1\r\nHost: x\r\nCookie: podweb=\rInjected: 1\r\nConnection: close\r\n\r\n"),
        ("a header line without a colon", b"GET / HTTP/1.1\r\nHost: x\r\nInjected\r\nConnection: close\r\n\r\n")]:
    out = raw(BASE, request_bytes)
    head = out.split(b"\r\n\r\n")[0].lower()
    check("%s comes back as no header (%r)" % (name, out[:12]),
          (out.startswith(b"HTTP/1.1 ") or out == b"") and b"injected" not in head)
st, _, _, _ = request(BASE, "GET", "/")
check("podweb still serves after the header tricks (%d)" % st, st == 200)
st, _, _, _ = request(BASE, "GET", "/api/events")
check("the event stream needs a session (%d)" % st, st == 401)
st, _, _, _ = request(BASE, "POST", "/api/events", {})
check("POST on the event stream is 405 (%d)" % st, st == 405)

# a slow client is dropped, others are served meanwhile
u = urllib.parse.urlparse(BASE)
slow = socket.create_connection((u.hostname, u.port), timeout=10)
slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
t0 = time.monotonic()
st, _, _, _ = request(BASE, "GET", "/")
check("served while a slow client stalls (%d)" % st, st == 200)
try:
    got = slow.recv(100)
except socket.timeout:
    got = b"still open"
waited = time.monotonic() - t0
check("the slow client is dropped after --client-timeout (%.1f s, %r)" % (waited, got[:12]),
      waited < 8 and got != b"still open")
slow.close()

# the event stream: a task pushed, not acknowledged, is replayed on reconnect
def events(base, cookie, seconds, want=None):
    """Read a stream for up to seconds (until want shows, when given);
    returns the raw text and the delivery id of each task event by title."""
    u = urllib.parse.urlparse(base)
    s = socket.create_connection((u.hostname, u.port), timeout=seconds)
    s.sendall(("GET /api/events HTTP/1.1\r\nHost: x\r\nCookie: %s\r\n\r\n" % cookie.split(";")[0]).encode())
    out, end = b"", time.monotonic() + seconds
    while time.monotonic() < end and not (want and want in out):
        s.settimeout(max(0.05, end - time.monotonic()))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        out += chunk
    s.close()
    tasks = {}
    for block in out.decode("utf-8", "replace").split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
        if lines.get("event") == "task":
            tasks[json.loads(lines["data"])["task"]["title"]] = int(lines["id"])
    return out, tasks

TITLE = "Pushed over SSE"
st, acookie, acsrf, _ = signin(BASE, "alice.tm", "alice.tm password 1")
st, _, js, _ = api(BASE, acookie, acsrf, "task-new", {"case": "NC-1001", "kind": "general", "title": TITLE})
check("alice.tm creates a task through podweb (%d)" % st, st == 201)
out, tasks = events(BASE, cookie, 10, TITLE.encode())
check("dev.sw's event stream carries it as a task event with its delivery id (%r)" % tasks.get(TITLE),
      TITLE in tasks and b"text/event-stream" in out)
out2, tasks2 = events(BASE, cookie, 10, TITLE.encode())
check("not acknowledged, it is replayed on the next stream (%r)" % tasks2.get(TITLE),
      TITLE in tasks and tasks2.get(TITLE) == tasks.get(TITLE))
delivery = tasks2.get(TITLE, 0)
st, _, js, _ = api(BASE, cookie, csrf, "ack", {"delivery": delivery})
check("the page's ACK of it (%d)" % st, st == 200)
st, _, js, _ = api(BASE, cookie, csrf, "ack", {"delivery": delivery})
check("a second ACK of the delivery is podd's 409 (%d)" % st, st == 409)
out3, tasks3 = events(BASE, cookie, 3)
check("acknowledged, it is not replayed (%s)" % sorted(tasks3), TITLE not in tasks3 and b"retry:" in out3)

# sign-out ends the session
st, _, js, _ = api(BASE, cookie, csrf, "signout")
check("sign-out (%d)" % st, st == 200)
st, _, js, _ = api(BASE, cookie, csrf, "task-list", {})
check("after sign-out the cookie is 401 (%d)" % st, st == 401)

# rate limit per account
for i in range(5):
    signin(BASE, "erin.sw", "not the password %d" % i)
st, cookie2, _, hd = signin(BASE, "erin.sw", "erin.sw password 1")
check("the sixth sign-in after five failures is 429 with Retry-After (%d)" % st,
      st == 429 and int(header(hd, "Retry-After") or 0) > 0)
st, _, _, _ = signin(BASE, "alice.tm", "alice.tm password 1")
check("another account from the same address still signs in (%d)" % st, st == 200)

# one-time set-up link
out = subprocess.run([PODWEB, "-p", PWFILE, "--url", BASE, "link", "ben.sp"], capture_output=True, text=True)
token = out.stdout.split("#/setup/")[1].split()[0] if "#/setup/" in out.stdout else ""
check("podweb link prints a one-time link (%s)" % out.stdout.split("\n")[0][:50], len(token) == 64)
st, _, js, _ = request(BASE, "POST", "/api/setup", {"token": token, "password": "short"})
check("a short password is refused (%d)" % st, st == 422)
st, _, js, _ = request(BASE, "POST", "/api/setup", {"token": token, "password": "ben.sp new password"})
check("the link sets a password (%d %s)" % (st, js), st == 200 and (js or {}).get("handle") == "ben.sp")
st, _, js, _ = request(BASE, "POST", "/api/setup", {"token": token, "password": "ben.sp another one"})
check("the link works once (%d)" % st, st == 422)
st, _, _, _ = signin(BASE, "ben.sp", "ben.sp new password")
check("ben.sp signs in with the new password (%d)" % st, st == 200)

# idle timeout (the short instance: --idle 2)
st, cookie, csrf, _ = signin(SHORT, "dev.sw", "dev.sw password 1")
st1, _, _, _ = api(SHORT, cookie, csrf, "task-list", {})
time.sleep(1.2)
st2, _, _, _ = api(SHORT, cookie, csrf, "task-list", {})
time.sleep(1.2)
st3, _, _, _ = api(SHORT, cookie, csrf, "task-list", {})
time.sleep(2.5)
st4, _, _, _ = api(SHORT, cookie, csrf, "task-list", {})
check("use keeps a session alive, idleness ends it (%d %d %d %d)" % (st1, st2, st3, st4),
      (st1, st2, st3, st4) == (200, 200, 200, 401))
# single sign-on: the proxy's header only from the proxy's address
st, hd, js, _ = request(SSO, "GET", "/api/session", headers={"X-Remote-User": "femi.sw"})
cookie = header(hd, "Set-Cookie") or ""
check("a trusted proxy's X-Remote-User signs femi.sw in (%d)" % st,
      st == 200 and (js or {}).get("handle") == "femi.sw" and "HttpOnly" in cookie)
st, _, js, _ = api(SSO, cookie, (js or {}).get("csrf"), "whoami")
check("and the session works (%d %s)" % (st, (js or {}).get("handle")), st == 200 and js.get("handle") == "femi.sw")
st, _, _, _ = request(SSO_ELSEWHERE, "GET", "/api/session", headers={"X-Remote-User": "femi.sw"})
check("the header from an address that is not the proxy's is ignored (%d)" % st, st == 401)
st, _, _, _ = request(BASE, "GET", "/api/session", headers={"X-Remote-User": "femi.sw"})
check("without --sso-header the header is ignored (%d)" % st, st == 401)
st, _, _, _ = request(SSO, "GET", "/api/session", headers={"X-Remote-User": "nobody.sw"})
check("the header naming no member of podd is 401 (%d)" % st, st == 401)
sys.exit(1 if FAILS else 0)
