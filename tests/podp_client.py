#!/usr/bin/python3
"""podp_client.py - an independent PODP/1 client for the podd tests.

Written from proto/PROTOCOL.md, not from podd's C code: a DEALER socket
over CURVE (keys loaded from zcert files with zmq.auth.load_certificate),
messages of exactly three frames (signature "PODP/1", command token, JSON
object body), requests matched to their REPLY by "rid", and TASK / NOTICE
pushes queued while a reply is awaited. Run only with /usr/bin/python3
(Debian's python3-zmq).

Library use:
    c = PodpClient(endpoint, "keys/dev.sw.cert", "keys/podd.cert")
    status, reason, data = c.request("PING")
    c.send_raw([b"PODP/1", b"NOPE", b"{}"])
    reply = c.recv_reply(rid=None, timeout=5)
    push = c.recv_push(timeout=5)        # ("TASK", {...}) or None

Command line (shell tests): see `podp_client.py --help`. Every subcommand
takes -e ENDPOINT -k KEYFILE -s SERVERCERT [-t SECONDS] and prints JSON.
Exit status: 0 a reply was received (whatever its status), 1 usage,
3 no answer within the timeout, 4 the server sent a malformed message.
"""
import argparse
import codecs
import json
import os
import sys
import time
import warnings

import zmq
import zmq.auth

SIGNATURE = b"PODP/1"
INT_MAX = 2 ** 53 - 1

# Server->client messages (PROTOCOL.md section 9): field -> (type, required, max octets)
SERVER_FIELDS = {
    "REPLY":  {"rid": ("INT", False, 0), "status": ("INT", True, 0),
               "reason": ("STRING", True, 512), "data": ("OBJECT", False, 0)},
    "TASK":   {"delivery": ("INT", True, 0), "task": ("OBJECT", True, 0)},
    "NOTICE": {"kind": ("STRING", True, 64), "text": ("TEXT", False, 4096),
               "data": ("OBJECT", False, 0)},
}


def _no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError("duplicate member name %r" % key[:40])
        obj[key] = value
    return obj


def _no_constant(name):
    raise ValueError("not JSON: %s" % name)


def _utf8_len(text, what):
    try:
        return len(text.encode("utf-8"))      # lone surrogates fail here
    except UnicodeEncodeError:
        raise ValueError("%s: not valid Unicode" % what)


def _controls(text, allow_newlines):
    for ch in text:
        cp = ord(ch)
        if allow_newlines and ch in "\n\t":
            continue
        if cp < 0x20 or cp == 0x7F or 0x80 <= cp <= 0x9F:
            return True
    return False


def _nul_free(value, depth=0):
    if depth > 4096:
        return False
    if isinstance(value, str):
        _utf8_len(value, "string")
        return "\x00" not in value
    if isinstance(value, list):
        return all(_nul_free(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all("\x00" not in k and _nul_free(v, depth + 1) for k, v in value.items())
    return True


def check_fields(body, table):
    """Validate a message body against its field table (section 7.2)."""
    for key in body:
        if key not in table:
            raise ValueError("unknown field %r" % key[:40])
    for name, (kind, required, limit) in table.items():
        if name not in body:
            if required:
                raise ValueError("field %r: required" % name)
            continue
        value = body[name]
        what = "field %r" % name
        if kind in ("STRING", "TEXT"):
            if not isinstance(value, str):
                raise ValueError("%s: expected a string" % what)
            if _utf8_len(value, what) > limit:
                raise ValueError("%s: longer than %d octets" % (what, limit))
            if _controls(value, kind == "TEXT"):
                raise ValueError("%s: contains a control character" % what)
            if required and not value:
                raise ValueError("%s: must not be empty" % what)
        elif kind == "INT":
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError("%s: expected an integer" % what)
            if not 0 <= value <= INT_MAX:
                raise ValueError("%s: out of range" % what)
        elif kind == "OBJECT":
            if not isinstance(value, dict):
                raise ValueError("%s: expected an object" % what)
            if not _nul_free(value):
                raise ValueError("%s: contains a NUL character" % what)


class NoAnswer(Exception):
    """No reply within the timeout."""


class PodpClient:
    def __init__(self, endpoint, keyfile=None, server_cert=None, timeout=5.0,
                 context=None, curve=True, hwm=100000):
        self.ctx = context or zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.SNDHWM, hwm)
        self.sock.setsockopt(zmq.RCVHWM, hwm)
        if curve:
            # a zcert keypair is KEYFILE (public) and KEYFILE_secret (both keys)
            secret_file = keyfile if keyfile.endswith("_secret") else keyfile + "_secret"
            public, secret = zmq.auth.load_certificate(secret_file)
            if secret is None:
                raise ValueError("%s: no secret key" % secret_file)
            server_public, _ = zmq.auth.load_certificate(server_cert)
            self.sock.curve_publickey = public
            self.sock.curve_secretkey = secret
            self.sock.curve_serverkey = server_public
        self.sock.connect(endpoint)
        self.timeout = timeout
        self.next_rid = 1
        self.pushes = []            # queued (command, body)
        self.replies = []           # unmatched REPLY bodies, kept for recv_reply
        self.bad = []               # server messages that broke the protocol
        self.last_seen = 0.0

    def close(self):
        self.sock.close(0)

    # -- sending -------------------------------------------------------
    def send_raw(self, frames, timeout=None):
        """Send arbitrary frames (list of bytes/str) as one message."""
        frames = [f.encode() if isinstance(f, str) else bytes(f) for f in frames]
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            try:
                self.sock.send_multipart(frames, flags=zmq.NOBLOCK)
                return True
            except zmq.Again:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.005)

    def encode(self, command, body):
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        return [SIGNATURE, command.encode(), text.encode("utf-8")]

    def send(self, command, body=None, rid=True, timeout=None):
        """Send a request. rid=True: a fresh rid; an int: that rid;
        None/False: no rid. Returns the rid used (or None)."""
        body = dict(body or {})
        if rid is True:
            rid = self.next_rid
            self.next_rid += 1
        if rid is not None and rid is not False:
            body["rid"] = rid
        else:
            rid = None
        if not self.send_raw(self.encode(command, body), timeout):
            raise NoAnswer("cannot send %s" % command)
        return rid

    # -- receiving -----------------------------------------------------
    def _decode(self, frames):
        """(command, body) of a server message that is valid PODP/1
        (sections 5, 6, 9 of PROTOCOL.md), else None: the message is kept
        in self.bad with the reason and a warning goes to stderr."""
        try:
            if len(frames) != 3:
                raise ValueError("expected 3 frames, got %d" % len(frames))
            if frames[0] != SIGNATURE:
                raise ValueError("bad signature %r" % frames[0][:40])
            command = frames[1].decode("ascii")
            if command not in SERVER_FIELDS:
                raise ValueError("unknown server command %r" % command[:40])
            body = json.loads(frames[2].decode("utf-8"), object_pairs_hook=_no_duplicates,
                              parse_constant=_no_constant)
            if not isinstance(body, dict):
                raise ValueError("body is not a JSON object")
            check_fields(body, SERVER_FIELDS[command])
        except (UnicodeError, ValueError) as e:
            print("podp_client: malformed server message discarded: %s" % e, file=sys.stderr)
            self.bad.append((str(e), frames))
            return None
        return command, body

    def _pump(self, timeout):
        """Receive one message within timeout seconds (>= 0); file it.
        Returns True when something arrived."""
        if not self.sock.poll(max(0, int(timeout * 1000))):
            return False
        frames = self.sock.recv_multipart()
        self.last_seen = time.monotonic()
        msg = self._decode(frames)
        if msg is None:
            return True
        command, body = msg
        if command == "REPLY":
            self.replies.append(body)
        else:
            self.pushes.append((command, body))
        return True

    def recv_reply(self, rid=None, timeout=None, any_rid=False):
        """Next REPLY body with this rid (rid None: a REPLY without a rid;
        any_rid: the next REPLY whatever its rid). Raises NoAnswer."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            for i, body in enumerate(self.replies):
                if any_rid or body.get("rid") == rid:
                    return self.replies.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise NoAnswer("no REPLY for rid %r" % (rid,))
            self._pump(left)

    def recv_push(self, timeout=None):
        """Next TASK/NOTICE push as (command, body), or None on timeout."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while not self.pushes:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self._pump(left)
        return self.pushes.pop(0)

    def drain(self, timeout=0.0):
        """Take in whatever arrives within timeout; returns nothing."""
        while self._pump(timeout):
            pass

    def request(self, command, body=None, timeout=None):
        """Send command with a fresh rid, wait for its REPLY.
        Returns (status, reason, data); raises NoAnswer."""
        rid = self.send(command, body, rid=True, timeout=timeout)
        reply = self.recv_reply(rid, timeout)
        self.replies = [r for r in self.replies if r.get("rid") != rid]
        return reply.get("status"), reply.get("reason"), reply.get("data")


# ----------------------------------------------------------------------
# Command line

def frame_arg(text):
    """A frame from the command line: @PATH = the file's octets,
    otherwise the text with backslash escapes (\\xff, \\r, \\n) decoded."""
    if text.startswith("@"):
        with open(text[1:], "rb") as f:
            return f.read()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # "\u0000" stays as it is, for JSON
        return codecs.escape_decode(text.encode("utf-8"))[0]


def client_from(args):
    curve = not args.insecure
    c = PodpClient(args.endpoint, args.key, args.server, args.timeout, curve=curve)
    args.clients.append(c)
    return c


def out(obj):
    print(json.dumps(obj, ensure_ascii=False, sort_keys=True))
    sys.stdout.flush()


def then_ping(c, args, reply):
    """--ping: a PING on the same connection after the reply; its status
    goes into the printed reply as "ping"."""
    if args.ping:
        try:
            reply["ping"] = c.request("PING")[0]
        except NoAnswer:
            reply["ping"] = None


def cmd_request(args):
    c = client_from(args)
    body = json.loads(args.body) if args.body else {}
    try:
        if args.rid is not None:
            rid = c.send(args.command, body, rid=args.rid)
        else:
            rid = c.send(args.command, body, rid=True)
        reply = c.recv_reply(rid)
        then_ping(c, args, reply)
    except NoAnswer as e:
        print("podp_client: %s" % e, file=sys.stderr)
        return 3
    finally:
        c.close()
    out(reply)
    return 0


def cmd_raw(args):
    """Send the given frames; print the reply (the one with --rid if
    given, else the next REPLY whatever its rid)."""
    c = client_from(args)
    frames = [frame_arg(f) for f in args.frames]
    try:
        if not c.send_raw(frames):
            raise NoAnswer("cannot send")
        reply = c.recv_reply(any_rid=True)
        then_ping(c, args, reply)
    except NoAnswer as e:
        print("podp_client: %s" % e, file=sys.stderr)
        return 3
    finally:
        c.close()
    out(reply)
    return 0


def cmd_watch(args):
    """WATCH, then print each TASK push as a JSON line; ACK unless
    --no-ack. Stops after --count pushes or --idle seconds of silence."""
    c = client_from(args)
    try:
        status, reason, data = c.request("WATCH")
        if status != 200:
            out({"status": status, "reason": reason})
            return 2
        print(json.dumps({"watch": data}), file=sys.stderr)
        heartbeat = (data or {}).get("heartbeat", 1000) / 1000.0
        got = 0
        next_hb = time.monotonic() + heartbeat
        deadline = time.monotonic() + args.limit
        last = time.monotonic()
        while time.monotonic() < deadline:
            now = time.monotonic()
            if now >= next_hb:
                c.send("HEARTBEAT", rid=None)
                next_hb = now + heartbeat
            push = c.recv_push(timeout=max(0.0, min(next_hb - now, 0.2)))
            c.replies.clear()
            if push is None:
                if time.monotonic() - last > args.idle:
                    break
                continue
            last = time.monotonic()
            command, body = push
            out({"command": command, "body": body})
            if command == "TASK":
                if not args.no_ack:
                    c.send("ACK", {"delivery": body.get("delivery")}, rid=None)
                got += 1
                if args.count and got >= args.count:
                    break
        c.drain(0.2)
    except NoAnswer as e:
        print("podp_client: %s" % e, file=sys.stderr)
        return 3
    finally:
        c.close()
    return 0


def cmd_burst(args):
    """Pipeline up to --total TASK-NEW requests (title PREFIX-NNNNNN),
    at most --window in flight. Each title whose REPLY is 201 is appended
    to --acked (flushed at once). Stops when all are answered, or after
    --idle seconds without any reply (--first-wait before the first), or
    after --limit seconds."""
    c = client_from(args)
    acked = open(args.acked, "a")
    titles = {}                 # rid -> title, in flight
    sent = answered = created = other = 0
    start = time.monotonic()
    last_reply = start
    statuses = {}
    try:
        while True:
            now = time.monotonic()
            if now - start > args.limit:
                break
            idle = args.idle if answered or other else args.first_wait
            if now - last_reply > idle and (titles or sent >= args.total):
                break
            while sent < args.total and len(titles) < args.window:
                title = "%s-%06d" % (args.prefix, sent)
                body = {"case": args.case, "kind": args.kind, "title": title}
                rid = c.next_rid
                c.next_rid += 1
                body["rid"] = rid
                if not c.send_raw(c.encode("TASK-NEW", body), timeout=0.05):
                    break
                titles[rid] = title
                sent += 1
            if sent >= args.total and not titles:
                break
            if not c._pump(0.05):
                continue
            while c._pump(0):
                pass
            for reply in c.replies:
                rid = reply.get("rid")
                title = titles.pop(rid, None)
                if title is None:
                    other += 1
                    continue
                answered += 1
                status = reply.get("status")
                statuses[status] = statuses.get(status, 0) + 1
                if status == 201:
                    acked.write(title + "\n")
                    created += 1
            if c.replies:
                acked.flush()
                last_reply = time.monotonic()
            c.replies = []
    finally:
        acked.close()
        c.close()
    out({"sent": sent, "answered": answered, "created": created,
         "unanswered": len(titles), "stray": other,
         "statuses": {str(k): v for k, v in statuses.items()},
         "seconds": round(time.monotonic() - start, 3)})
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description="independent PODP/1 test client")
    p.add_argument("-e", "--endpoint", default=os.environ.get("PODD_ENDPOINT", "tcp://127.0.0.1:5670"))
    p.add_argument("-k", "--key", help="client zcert (its _secret file must exist)")
    p.add_argument("-s", "--server", help="server public zcert")
    p.add_argument("-t", "--timeout", type=float, default=5.0, help="seconds to wait for a reply")
    p.add_argument("--insecure", action="store_true", help="no CURVE")
    sub = p.add_subparsers(dest="cmd", required=True)

    r = sub.add_parser("request", help="COMMAND [JSON-BODY]: send with a rid, print the REPLY")
    r.add_argument("command")
    r.add_argument("body", nargs="?")
    r.add_argument("--rid", type=int, help="use this rid")
    r.add_argument("--ping", action="store_true", help="then PING on the same connection")
    r.set_defaults(fn=cmd_request)

    r = sub.add_parser("raw", help="FRAME...: send these frames, print the next REPLY "
                       "(frames: @FILE or text with \\xNN escapes)")
    r.add_argument("frames", nargs="*")
    r.add_argument("--ping", action="store_true", help="then PING on the same connection")
    r.set_defaults(fn=cmd_raw)

    r = sub.add_parser("watch", help="WATCH and print pushes as JSON lines")
    r.add_argument("--count", type=int, default=0)
    r.add_argument("--no-ack", action="store_true")
    r.add_argument("--idle", type=float, default=3.0, help="stop after this much silence")
    r.add_argument("--limit", type=float, default=30.0, help="stop after this many seconds")
    r.set_defaults(fn=cmd_watch)

    r = sub.add_parser("burst", help="pipelined TASK-NEW; acknowledged titles to a file")
    r.add_argument("--case", required=True)
    r.add_argument("--kind", default="general")
    r.add_argument("--prefix", default="burst")
    r.add_argument("--total", type=int, default=3000)
    r.add_argument("--window", type=int, default=200)
    r.add_argument("--acked", required=True, help="file to append acknowledged titles to")
    r.add_argument("--idle", type=float, default=2.0,
                   help="stop after this much silence once replies have come")
    r.add_argument("--first-wait", type=float, default=10.0,
                   help="stop if the first reply takes longer than this")
    r.add_argument("--limit", type=float, default=30.0)
    r.set_defaults(fn=cmd_burst)

    args = p.parse_args(argv)
    args.clients = []
    if not args.insecure and not (args.key and args.server):
        p.error("-k KEYFILE and -s SERVERCERT are needed (or --insecure)")
    try:
        rc = args.fn(args)
    except (OSError, ValueError) as e:
        print("podp_client: %s" % e, file=sys.stderr)
        return 1
    if any(c.bad for c in args.clients):
        return 4                # the server broke the protocol
    return rc


if __name__ == "__main__":
    sys.exit(main())
