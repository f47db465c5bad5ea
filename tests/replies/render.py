#!/usr/bin/python3
"""render.py - turn a reply template of tests/replies/ into a message.

  render.py TEMPLATE OUT.eml KEY=VALUE...

Every @KEY@ in the template is replaced by VALUE (UID, SEQ, ATTENDEE,
FROM, ORGANIZER, DTSTAMP, MSGID, DATE; see README). A block between a
line "{{base64" (or "{{qp") and a line "}}" is the clear text of a MIME
part: its lines are joined with CRLF and encoded as base64 (76-column
lines) or quoted-printable (RFC 2045, soft breaks at 76), as the part's
Content-Transfer-Encoding says. The message is written with CRLF line
ends. A placeholder left unreplaced is an error, so a template cannot
silently test less than it says.

Run with /usr/bin/python3 (standard library only).
"""
import base64
import quopri
import re
import sys


def encode(kind, lines):
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    if kind == "base64":
        text = base64.b64encode(data).decode("ascii")
        return [text[i:i + 76] for i in range(0, len(text), 76)]
    return quopri.encodestring(data).decode("ascii").replace("\r\n", "\n").rstrip("\n").split("\n")


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: render.py TEMPLATE OUT.eml KEY=VALUE...")
    text = open(sys.argv[1], encoding="utf-8").read()
    for pair in sys.argv[3:]:
        key, _, value = pair.partition("=")
        text = text.replace("@%s@" % key, value)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        sys.exit("render.py: %s: no value for %s" % (sys.argv[1], ", ".join(sorted(set(left)))))
    out, block, kind = [], None, None
    for line in text.split("\n"):
        if block is None and line in ("{{base64", "{{qp"):
            block, kind = [], line[2:]
        elif block is not None and line == "}}":
            out.extend(encode(kind, block))
            block = None
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    if block is not None:
        sys.exit("render.py: %s: a {{%s block is not closed" % (sys.argv[1], kind))
    while out and out[-1] == "":
        out.pop()
    with open(sys.argv[2], "wb") as f:
        f.write(("\r\n".join(out) + "\r\n").encode("utf-8"))


if __name__ == "__main__":
    main()
