#!/usr/bin/python3
"""smtp_sink.py - a fast loopback SMTP sink for bench/run.sh (mail drain).

Standard library only. Listens on 127.0.0.1 (a free port the kernel picks),
accepts every message and throws it away, so that the figures measure the
mailer rather than the server (tests/smtp_server.py, aiosmtpd, takes about
2 ms per message: it was the bottleneck, not the mailer).

  smtp_sink.py --dir DIR [--tlscert CERT --tlskey KEY [--require-tls]
               [--tls-tickets N]] [--max-seconds S]

DIR (created) gets:
  ready    "PORT\\n", once listening
  stats    on exit (SIGTERM, SIGINT, or after --max-seconds, 300 by default):
           "connections N", "tls N" (sessions that did STARTTLS),
           "messages N", "bytes N" (message data as on the wire), one a line

EHLO offers PIPELINING and 8BITMIME, and STARTTLS when a certificate is
given; --require-tls answers 530 to MAIL and RCPT before STARTTLS.
Replies to pipelined commands go out together, once no complete command is
left in the input. TLS 1.3 session tickets: none by default (--tls-tickets
N sends N): libesmtp 1.1 handles input before flushing its output, so when
a ticket is already readable as it is about to send EHLO after STARTTLS,
it reads the ticket and then waits for the EHLO reply with the EHLO still
in its buffer, until its timeout. On loopback that hits most sessions
(seen: 29 of 47 sessions stalled, 2 s each), so the figures would measure
the timeout, not the mailer.

One connection at a time, served by the main thread (no thread start per
session: the mailer opens one at a time; others wait in the listen
backlog); 30 s without input or output ends a session; at most 1 MiB per
command line and 64 MiB per message.
"""
import argparse
import os
import signal
import socket
import ssl
import struct
import sys

MAX_LINE = 1 << 20
MAX_MESSAGE = 64 << 20
IDLE_TIMEOUT = 30


class Stop(Exception):
    pass


class Stats:
    connections = 0
    tls = 0
    messages = 0
    bytes = 0

    def write(self, path):
        with open(path + ".tmp", "w") as f:
            f.write("connections %d\ntls %d\nmessages %d\nbytes %d\n" % (
                self.connections, self.tls, self.messages, self.bytes))
        os.rename(path + ".tmp", path)


def session(sock, stats, tls_ctx, require_tls):
    try:
        serve(sock, stats, tls_ctx, require_tls)
    except OSError:             # ssl.SSLError, timeouts, resets: next one
        pass


def serve(sock, stats, tls_ctx, require_tls):
    # Blocking socket, timeouts in the kernel (no poll() before every call)
    timeval = struct.pack("ll", IDLE_TIMEOUT, 0)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    space = bytearray(65536)
    view = memoryview(space)
    buf = bytearray()
    out = [b"220 sink.bench.example ESMTP\r\n"]
    in_data = False
    scan = 0                    # in DATA: where to resume looking for CRLF.CRLF
    rcpts = 0
    using_tls = False
    try:
        while True:
            # Answer every complete command (or message) already buffered
            while True:
                if in_data:
                    end = buf.find(b"\r\n.\r\n", scan)
                    if end < 0:
                        if len(buf) > MAX_MESSAGE:
                            sock.sendall(b"".join(out) + b"552 5.3.4 Message too big\r\n")
                            return
                        scan = max(0, len(buf) - 4)
                        break
                    # buf starts with the CRLF put in front of the data on DATA
                    stats.messages += 1
                    stats.bytes += end
                    del buf[:end + 5]
                    in_data = False
                    rcpts = 0
                    out.append(b"250 2.0.0 OK: discarded\r\n")
                    continue
                eol = buf.find(b"\r\n")
                if eol < 0:
                    if len(buf) > MAX_LINE:
                        sock.sendall(b"".join(out) + b"500 5.5.2 Line too long\r\n")
                        return
                    break
                verb = bytes(buf[:4]).upper()
                line = bytes(buf[:eol])
                del buf[:eol + 2]
                if verb == b"EHLO":
                    rcpts = 0
                    out.append(b"250-sink.bench.example\r\n250-PIPELINING\r\n")
                    if tls_ctx and not using_tls:
                        out.append(b"250-STARTTLS\r\n")
                    out.append(b"250 8BITMIME\r\n")
                elif verb == b"HELO":
                    rcpts = 0
                    out.append(b"250 sink.bench.example\r\n")
                elif verb == b"STAR" and line.upper() == b"STARTTLS":
                    if not tls_ctx or using_tls:
                        out.append(b"502 5.5.1 STARTTLS not available\r\n")
                    elif buf:           # RFC 3207: nothing may follow STARTTLS
                        out.append(b"501 5.5.4 Data after STARTTLS\r\n")
                        del buf[:]
                    else:
                        out.append(b"220 2.0.0 Ready to start TLS\r\n")
                        sock.sendall(b"".join(out))
                        out = []
                        sock = tls_ctx.wrap_socket(sock, server_side=True)
                        sock.settimeout(None)   # kept SO_RCVTIMEO/SO_SNDTIMEO
                        using_tls = True
                        rcpts = 0
                        stats.tls += 1
                elif verb in (b"MAIL", b"RCPT") and require_tls and not using_tls:
                    out.append(b"530 5.7.0 Must issue a STARTTLS command first\r\n")
                elif verb == b"MAIL":
                    rcpts = 0
                    out.append(b"250 2.1.0 OK\r\n")
                elif verb == b"RCPT":
                    rcpts += 1
                    out.append(b"250 2.1.5 OK\r\n")
                elif verb == b"DATA":
                    if rcpts == 0:
                        out.append(b"503 5.5.1 No valid recipients\r\n")
                    else:
                        out.append(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        buf[0:0] = b"\r\n"     # so that an empty message ends at 0
                        in_data = True
                        scan = 0
                elif verb == b"RSET":
                    rcpts = 0
                    out.append(b"250 2.0.0 OK\r\n")
                elif verb == b"NOOP":
                    out.append(b"250 2.0.0 OK\r\n")
                elif verb == b"QUIT":
                    out.append(b"221 2.0.0 Bye\r\n")
                    sock.sendall(b"".join(out))
                    return
                else:
                    out.append(b"500 5.5.2 Command not recognised\r\n")
            if out:
                sock.sendall(b"".join(out))
                out = []
            n = sock.recv_into(space)
            if n == 0:
                return
            buf += view[:n]
    finally:
        sock.close()   # the TLS one after STARTTLS


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--tlscert")
    parser.add_argument("--tlskey")
    parser.add_argument("--require-tls", action="store_true")
    parser.add_argument("--tls-tickets", type=int, default=0)
    parser.add_argument("--max-seconds", type=int, default=300)
    args = parser.parse_args()
    if bool(args.tlscert) != bool(args.tlskey) or (args.require_tls and not args.tlscert):
        parser.error("--tlscert and --tlskey go together; --require-tls needs them")
    os.makedirs(args.dir, exist_ok=True)
    tls_ctx = None
    if args.tlscert:
        tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_ctx.load_cert_chain(args.tlscert, args.tlskey)
        tls_ctx.num_tickets = args.tls_tickets

    def on_signal(signum, frame):
        raise Stop()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
        signal.signal(signum, on_signal)
    signal.alarm(max(1, args.max_seconds))

    stats = Stats()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        ready = os.path.join(args.dir, "ready")
        with open(ready + ".tmp", "w") as f:
            f.write("%d\n" % listener.getsockname()[1])
        os.rename(ready + ".tmp", ready)
        while True:
            conn, _ = listener.accept()
            stats.connections += 1
            session(conn, stats, tls_ctx, args.require_tls)
            conn.close()        # closed already, unless setup failed
    except Stop:
        pass
    finally:
        listener.close()
        stats.write(os.path.join(args.dir, "stats"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
