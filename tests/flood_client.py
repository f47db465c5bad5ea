#!/usr/bin/python3
"""flood_client.py - memory before authentication (issue 16 J), for
tests/integration/12-keys.sh. Run only with /usr/bin/python3.

    flood_client.py ENDPOINT SERVERCERT ATTACKER_KEY MEMBER_KEY PODD_PID
                    [--frames N] [--messages M] [--big MB] [--seconds S] [--wait S]

An attacker (a CURVE key podd does not know) sends M messages of N
one-byte frames each, back to back, then one frame of MB megabytes, while a
registered member PINGs podd in a loop (its own process) and a sampler reads podd's VmRSS
from /proc/PID/status every 10 ms. Prints one JSON line: RSS before and
peak (kB), PING latencies (ms: p50, p95, max, count), the replies the
attacker got, and whether podd still answers the attacker after the big
frame. Everything stops by itself after at most S seconds (default 20).
"""
import argparse
import importlib.util
import json
import os
import statistics
import threading
import time

import zmq

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("podp_client", os.path.join(HERE, "podp_client.py"))
podp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(podp)


def vmrss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("endpoint")
    ap.add_argument("server_cert")
    ap.add_argument("attacker_key")
    ap.add_argument("member_key")
    ap.add_argument("pid", type=int)
    ap.add_argument("--frames", type=int, default=200000)
    ap.add_argument("--messages", type=int, default=5)
    ap.add_argument("--big", type=int, default=80)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--wait", type=float, default=10.0,
                    help="seconds to wait for each reply to the attacker")
    args = ap.parse_args()
    deadline = time.monotonic() + args.seconds
    result = {"frames": args.frames, "messages": args.messages, "big_mb": args.big}
    result["rss_before_kb"] = vmrss_kb(args.pid)
    peak = [result["rss_before_kb"]]
    done = threading.Event()
    stop_file = "/tmp/flood_client.%d.stop" % os.getpid()

    def sampler():
        while not done.is_set() and time.monotonic() < deadline:
            try:
                peak[0] = max(peak[0], vmrss_kb(args.pid))
            except OSError:
                break
            time.sleep(0.01)

    #  The member PINGs from its own process: the attacker's sending (and
    #  Python's GIL) must not slow it down, only podd may
    lat_read, lat_write = os.pipe()
    pinger_pid = os.fork()
    if pinger_pid == 0:
        os.close(lat_read)
        member = podp.PodpClient(args.endpoint, args.member_key, args.server_cert, timeout=5,
                                 context=zmq.Context())
        member.request("PING")                   # connected before the attack
        os.write(lat_write, b"ready\n")
        out = []
        while time.monotonic() < deadline:
            start = time.monotonic()
            try:
                status, _, _ = member.request("PING", timeout=5)
            except podp.NoAnswer:
                status = None
            out.append((time.monotonic() - start) * 1000.0 if status == 200 else 5000.0)
            if os.getppid() == 1 or os.path.exists(stop_file):
                break
            time.sleep(0.002)
        os.write(lat_write, (json.dumps(out) + "\n").encode())
        os._exit(0)
    os.close(lat_write)
    lat_pipe = os.fdopen(lat_read)
    lat_pipe.readline()                          # the member is connected

    threads = [threading.Thread(target=sampler)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    attacker = podp.PodpClient(args.endpoint, args.attacker_key, args.server_cert, timeout=5,
                               context=zmq.Context())
    replies = []
    frames = [b"PODP/1", b"PING"] + [b"x"] * (args.frames - 2)
    for _ in range(args.messages):
        if time.monotonic() >= deadline:
            break
        if not attacker.send_raw(frames, timeout=args.wait):
            replies.append("cannot send")
            break
        try:
            reply = attacker.recv_reply(any_rid=True, timeout=max(0.1, min(args.wait, deadline - time.monotonic())))
            replies.append("%s %s" % (reply.get("status"), reply.get("reason")))
        except podp.NoAnswer:
            replies.append("no reply")
    # One frame far over any body limit: podd closes the connection unread
    if args.big:
        big = b"{" + b" " * (args.big * 1024 * 1024) + b"}"
        attacker.send_raw([b"PODP/1", b"PING", big], timeout=args.wait)
        del big
        time.sleep(1.0)
    # The attacker's key still gets its 401 on a fresh connection (and
    # context: the old one may still be encrypting the big frame)
    attacker.close()
    attacker.ctx.term()
    attacker = podp.PodpClient(args.endpoint, args.attacker_key, args.server_cert,
                               timeout=args.wait, context=zmq.Context())
    try:
        status, reason, _ = attacker.request("PING", timeout=args.wait)
        result["attacker_ping_after"] = "%s %s" % (status, reason)
    except podp.NoAnswer:
        result["attacker_ping_after"] = "no reply"
    attacker.close()
    attacker.ctx.term()
    time.sleep(0.2)
    done.set()
    for t in threads:
        t.join()
    open(stop_file, "w").close()
    latencies = json.loads(lat_pipe.readline() or "[]")
    os.waitpid(pinger_pid, 0)
    os.unlink(stop_file)
    result["rss_peak_kb"] = peak[0]
    result["attack_replies"] = sorted(set(replies))
    lat = sorted(latencies)
    if lat:
        result["ping_ms"] = {"count": len(lat), "p50": round(statistics.median(lat), 2),
                             "p95": round(lat[int(len(lat) * 0.95) - 1 if len(lat) > 1 else 0], 2),
                             "max": round(lat[-1], 2)}
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
