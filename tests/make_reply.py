#!/usr/bin/python3
"""make_reply.py - an attendee's answer to a podd meeting invite, for
tests/integration/80-meetings.sh (podctl ingest-mail).

Run with /usr/bin/python3 (Debian's python3-icalendar 4.0.3).

  make_reply.py OUT.eml --uid UID --sequence N --attendee ADDR [--attendee ADDR2]
                --name NAME --partstat P [--from ADDR] [--from-name NAME]
                [--message-id ID] [--dtstamp YYYY-MM-DDTHH:MM:SSZ]
                [--shape gmail|outlook] [--plain]

Builds a METHOD:REPLY VCALENDAR with python-icalendar (one VEVENT: UID,
SEQUENCE, DTSTAMP, ORGANIZER unless Outlook.com's shape, one ATTENDEE with
PARTSTAT, or two when --attendee is given twice) and wraps it with the email
module:
  gmail    multipart/alternative: text/plain, then an inline base64
           text/calendar; charset=UTF-8; method=REPLY
  outlook  a lone base64 text/calendar; method=REPLY body, no ORGANIZER,
           "MAILTO:" in capitals (what Outlook.com sends)
--plain writes a plain-text mail instead ("Thanks, I'll be there"): not
iCalendar at all. From defaults to the (first) attendee.
"""
import argparse
import datetime
import email.policy
import email.utils
import sys
from email.message import EmailMessage

import icalendar

UTC = datetime.timezone.utc
ORGANISER = "pod-north@pod-north.example"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--uid", required=True)
    p.add_argument("--sequence", type=int, required=True)
    p.add_argument("--attendee", action="append", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--partstat", required=True)
    p.add_argument("--from", dest="sender")
    p.add_argument("--from-name")
    p.add_argument("--message-id")
    p.add_argument("--dtstamp", default="2026-07-02T11:00:00Z")
    p.add_argument("--shape", choices=["gmail", "outlook"], default="gmail")
    p.add_argument("--plain", action="store_true")
    args = p.parse_args()

    stamp = datetime.datetime.strptime(args.dtstamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    sender = args.sender or args.attendee[0]
    msg_id = args.message_id or "reply-%s-%s@mail.example" % (args.partstat.lower(), args.shape)

    cal = icalendar.Calendar()
    cal.add("prodid", "-//podd tests//python-icalendar reply//EN")
    cal.add("version", "2.0")
    cal.add("method", "REPLY")
    ev = icalendar.Event()
    ev.add("uid", args.uid)
    ev.add("sequence", args.sequence)
    ev.add("dtstamp", stamp)
    ev.add("dtstart", datetime.datetime(2026, 7, 15, 12, 0, 0, tzinfo=UTC))
    ev.add("summary", "Placement stability meeting")
    if args.shape != "outlook":         # Outlook.com omits ORGANIZER
        org = icalendar.vCalAddress("mailto:" + ORGANISER)
        org.params["CN"] = icalendar.vText("Pod North")
        ev.add("organizer", org, encode=0)
    for i, who in enumerate(args.attendee):
        att = icalendar.vCalAddress(("MAILTO:" if args.shape == "outlook" else "mailto:") + who)
        att.params["CN"] = icalendar.vText(args.name if i == 0 else "Someone Else")
        att.params["PARTSTAT"] = icalendar.vText(args.partstat)
        ev.add("attendee", att, encode=0)
    cal.add_component(ev)
    ics = cal.to_ical()

    msg = EmailMessage()
    msg["From"] = email.utils.formataddr((args.from_name or args.name, sender))
    msg["To"] = email.utils.formataddr(("Pod North", ORGANISER))
    msg["Subject"] = "%s: Placement stability meeting" % args.partstat.capitalize()
    msg["Message-ID"] = "<%s>" % msg_id
    msg["Date"] = email.utils.format_datetime(stamp)
    params = {"method": "REPLY", "charset": "UTF-8"}
    if args.plain:
        msg.set_content("Thanks, I'll be there.\n")
    elif args.shape == "outlook":
        msg.set_content(ics, maintype="text", subtype="calendar", cte="base64", params=params)
    else:
        msg.set_content("%s has answered your invitation.\n" % args.name)
        msg.add_alternative(ics, maintype="text", subtype="calendar", cte="base64", params=params)
    with open(args.out, "wb") as f:
        f.write(msg.as_bytes(policy=email.policy.SMTP))
    return 0


if __name__ == "__main__":
    sys.exit(main())
