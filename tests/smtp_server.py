#!/usr/bin/python3
"""smtp_server.py - a tiny SMTP server (aiosmtpd) for tests/integration/50-mailer.sh.

Run with /usr/bin/python3 (Debian's python3-aiosmtpd). Listens on 127.0.0.1:PORT
and writes into DIR (which it creates):
  ready            once listening
  connections      the number of connections (SMTP sessions) so far
  commands.log     one line per MAIL / RCPT address seen ("MAIL addr", "RCPT addr")
  msg-NNNNN.eml    envelope.original_content of each accepted message, raw bytes
  msg-NNNNN.rcpt   its accepted recipients, one a line
Misbehaviour on request:
  --reject ADDR    answer 550 to RCPT TO:<ADDR> (repeatable)
  --defer ADDR     answer 451 to RCPT TO:<ADDR> (repeatable)
  --hang PHASE     greeting | mail | data: say nothing for --hang-seconds (30)
  --garbage PHASE  greeting | ehlo | rcpt | data | data-250 | binary: a reply
                   that is not SMTP (data-250: 250 to DATA, no 354)
  --auth USER:PASS require AUTH (PLAIN/LOGIN, allowed without TLS)
"""
import argparse
import asyncio
import os
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Recorder:
    def __init__(self, args):
        self.args = args
        self.dir = args.dir
        self.connections = 0
        self.messages = 0
        self.log = open(os.path.join(self.dir, "commands.log"), "a", buffering=1)

    def write_atomic(self, name, data):
        tmp = os.path.join(self.dir, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.dir, name))

    def connected(self):
        self.connections += 1
        self.write_atomic("connections", b"%d\n" % self.connections)

    async def hang(self, phase):
        if self.args.hang == phase:
            await asyncio.sleep(self.args.hang_seconds)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.args.garbage == "ehlo":
            return ["250-" + server.hostname, "what is this"]
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.log.write("MAIL %s\n" % address)
        await self.hang("mail")
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.log.write("RCPT %s\n" % address)
        if self.args.garbage == "rcpt":
            return "hello? is this thing on"
        if self.args.garbage == "binary":
            return "\u00ff\u00fe garbage"
        if address in self.args.reject:
            return "550 5.1.1 <%s>: Recipient address rejected" % address
        if address in self.args.defer:
            return "451 4.3.0 <%s>: Try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        await self.hang("data")
        if self.args.garbage == "data":
            return "9999 garbage after data"
        self.messages += 1
        name = "msg-%05d" % self.messages
        self.write_atomic(name + ".rcpt", "".join(r + "\n" for r in envelope.rcpt_tos).encode())
        self.write_atomic(name + ".eml", envelope.original_content)
        return "250 2.0.0 OK queued as %s" % name


class TestSMTP(SMTP):
    recorder = None

    async def _handle_client(self):
        args = self.recorder.args
        if args.hang == "greeting":
            await asyncio.sleep(args.hang_seconds)
        if args.garbage == "greeting":
            self._writer.write(b"hello, this is not SMTP\r\n")
            await asyncio.sleep(args.hang_seconds)
            self.transport.close()
            return
        await super()._handle_client()

    async def smtp_DATA(self, arg):
        if self.recorder.args.garbage == "data-250" and self.envelope.rcpt_tos:
            await self.push("250 2.0.0 OK, no need to send anything")
            return
        await super().smtp_DATA(arg)

    async def push(self, status):
        # "binary": send octets aiosmtpd would refuse to encode
        if isinstance(status, str) and status.startswith("\u00ff\u00fe"):
            status = b"\xff\xfe\x00\x01 garbage"
        await super().push(status)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--defer", action="append", default=[])
    parser.add_argument("--hang", choices=["greeting", "mail", "data"])
    parser.add_argument("--hang-seconds", type=float, default=30)
    parser.add_argument("--garbage", choices=["greeting", "ehlo", "rcpt", "data", "data-250", "binary"])
    parser.add_argument("--auth")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    recorder = Recorder(args)
    TestSMTP.recorder = recorder

    kwargs = {}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login == user.encode() and auth_data.password == password.encode())
            return AuthResult(success=ok, handled=False)   # handled=False: aiosmtpd answers 535
        kwargs = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        recorder.connected()
        return TestSMTP(recorder, hostname="mx.test.example", ident="podd-test",
                        loop=loop, **kwargs)

    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", args.port))
    with open(os.path.join(args.dir, "ready"), "w") as f:
        f.write("%d\n" % os.getpid())
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
