#!/usr/bin/python3
"""notify_listen.py - a fake systemd NOTIFY_SOCKET for the podd tests.

Binds a unix datagram socket, starts the command given after "--" with
NOTIFY_SOCKET pointing at it and WATCHDOG_USEC set, records every
notification with its time, sends SIGTERM after --run seconds, and prints
one JSON object: {"messages": [[seconds, "READY=1..."], ...], "exit": rc,
"stderr": "..."}. Every wait is bounded.
Usage: notify_listen.py SOCKET --watchdog-usec N --run SECONDS -- CMD...
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    cut = args.index("--")
    opts, cmd = args[:cut], args[cut + 1:]
    path = opts[0]
    usec = opts[opts.index("--watchdog-usec") + 1]
    run = float(opts[opts.index("--run") + 1])
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.05)
    env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC=usec)
    env.pop("WATCHDOG_PID", None)
    env.pop("JOURNAL_STREAM", None)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    messages = []
    termed = False
    rc = None
    while time.monotonic() - start < run + 15:
        try:
            data = sock.recv(4096)
            messages.append([round(time.monotonic() - start, 3),
                             data.decode("utf-8", "replace")])
        except socket.timeout:
            pass
        if not termed and time.monotonic() - start >= run:
            proc.send_signal(signal.SIGTERM)
            termed = True
        if termed and proc.poll() is not None:
            rc = proc.returncode
            # the last datagrams may still be queued
            try:
                while True:
                    data = sock.recv(4096)
                    messages.append([round(time.monotonic() - start, 3),
                                     data.decode("utf-8", "replace")])
            except socket.timeout:
                pass
            break
    if rc is None:
        proc.kill()
        rc = proc.wait()
    err = proc.stderr.read().decode("utf-8", "replace")
    os.unlink(path)
    print(json.dumps({"messages": messages, "exit": rc, "stderr": err[-2000:]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
