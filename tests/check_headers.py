#!/usr/bin/python3
"""check_headers.py - read spooled .eml files with Python's email package
(an independent MIME parser) and print, per message, what a mail client
would show and how the headers were written, as one JSON object a line:
{"file", "subject", "to": [[display-name, address], ...], "from": [...],
 "message_id", "uid", "longest_word": N, "words": N, "long_lines": N}.
longest_word is the length of the longest RFC 2047 encoded-word in the
header block; long_lines counts header lines over 998 octets.
Usage: check_headers.py FILE...
"""
import email
import email.policy
import json
import re
import sys

WORD = re.compile(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def main():
    for path in sys.argv[1:]:
        raw = open(path, "rb").read()
        head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        words = WORD.findall(head)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        uid = None
        for part in msg.walk():
            if part.get_content_type() == "text/calendar":
                for line in part.get_content().splitlines():
                    if line.startswith("UID:"):
                        uid = line[4:].strip()
        def boxes(name):
            h = msg[name]
            return [[a.display_name, a.addr_spec] for a in h.addresses] if h else []
        print(json.dumps({
            "file": path, "subject": str(msg["Subject"]), "to": boxes("To"),
            "from": boxes("From"), "message_id": str(msg["Message-ID"]), "uid": uid,
            "longest_word": max((len(w) for w in words), default=0), "words": len(words),
            "long_lines": sum(1 for l in head.splitlines() if len(l) > 998)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
