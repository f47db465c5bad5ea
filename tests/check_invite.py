#!/usr/bin/python3
"""check_invite.py - first independent reader of podd's invites, and maker
of attendees' replies, for tests/integration/60-invites.sh.

Run with /usr/bin/python3 (Debian's python3-icalendar 4.0.3; a pyenv python3
first on PATH cannot see it).

  check_invite.py invite FILE.eml [--forbid TEXT]...
      Reads the message with the email module and the text/calendar part with
      python-icalendar; prints facts as "key=value" lines. DTSTART is resolved
      to UTC twice: by python-icalendar's own TZID lookup and by the message's
      VTIMEZONE (Timezone.to_tz()). --forbid: report whether TEXT occurs in the
      raw bytes, the decoded headers, the plain text or the calendar.

  check_invite.py reply OUT.eml --uid UID --sequence N --attendee ADDR
                  --name NAME --partstat P [--shape gmail|outlook|attached]
                  [--variant ok|two-attendees|request|not-ical|garbage|no-calendar]
      Writes an attendee's METHOD:REPLY built with python-icalendar and
      wrapped in MIME with the email module (gmail: multipart/alternative with
      an inline text/calendar; outlook: a lone text/calendar body without
      ORGANIZER; attached: an application/ics attachment only).

  check_invite.py note FILE.eml [--forbid TEXT]...
      A message without a calendar (e.g. a meeting outcome): the header
      facts, the parts and the text/plain body (line ends as " ").

  check_invite.py scan DIR
      One line per DIR/msg-*.eml, in order: "FILE METHOD UID SEQUENCE" for
      a message with a text/calendar part, "FILE - - -" for any other.

  Header facts (invite and note) include to_raw (the To header as sent,
  unfolded), to_names (decoded display names, "|"-separated) and
  header_names (every top-level header field name, lower case).
"""
import argparse
import datetime
import email
import email.policy
import sys
from email.message import EmailMessage

import icalendar

UTC = datetime.timezone.utc
ORGANISER = "pod-north@pod-north.example"


def fmt_utc(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def addr(value):
    return str(value).lower().replace("mailto:", "", 1) if value is not None else ""


def emit(key, value):
    print("%s=%s" % (key, str(value).replace("\r", " ").replace("\n", " ")))


def header_facts(raw, msg):
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    unfolded = head.replace(b"\r\n", b"\n").replace(b"\n ", b" ").replace(b"\n\t", b" ")
    names, to_raw = [], ""
    for line in unfolded.split(b"\n"):
        if b":" in line and line[:1] not in (b" ", b"\t"):
            name = line.split(b":", 1)[0].decode("ascii", "replace").strip().lower()
            names.append(name)
            if name == "to" and not to_raw:
                to_raw = line.split(b":", 1)[1].decode("utf-8", "replace").strip()
    emit("header_names", ",".join(names))
    emit("to_raw", to_raw)
    emit("to_names", "|".join(a.display_name for a in msg["to"].addresses) if msg["to"] is not None else "")


def note(path, forbid):
    raw = open(path, "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    emit("crlf", "yes" if raw.count(b"\n") == raw.count(b"\r\n") else "no")
    emit("ascii", "yes" if all(b < 0x80 for b in raw) else "no")
    emit("subject", msg["subject"])
    emit("from", ",".join(a.addr_spec.lower() for a in msg["from"].addresses))
    recipients = []
    for header in ("to", "cc", "bcc"):
        if msg[header] is not None:
            recipients += [a.addr_spec.lower() for a in msg[header].addresses]
    emit("recipients", ",".join(recipients))
    emit("message_id", msg["message-id"])
    header_facts(raw, msg)
    parts = list(msg.walk())
    emit("parts", ",".join(p.get_content_type() for p in parts))
    emit("calendar_parts", len([p for p in parts if p.get_content_type() == "text/calendar"]))
    plain = [p for p in parts if p.get_content_type() == "text/plain"]
    text = plain[0].get_content() if plain else ""
    emit("text", text)
    if forbid:
        haystacks = [raw.decode("utf-8", "replace"), str(msg["subject"]), text]
        haystacks += [str(msg[h]) for h in ("to", "from", "cc") if msg[h] is not None]
        found = [f for f in forbid if any(f.lower() in h.lower() for h in haystacks)]
        emit("forbidden_found", ",".join(found) if found else "none")
    return 0


def scan(directory):
    import glob
    import os
    for path in sorted(glob.glob(os.path.join(directory, "msg-*.eml"))):
        msg = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
        cals = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
        fields = ["-", "-", "-"]
        if cals:
            fields[0] = cals[0].get_param("method") or "?"
            try:
                ev = icalendar.Calendar.from_ical(cals[0].get_payload(decode=True)).walk("VEVENT")[0]
                fields[1] = str(ev.get("uid"))
                fields[2] = str(int(ev.get("sequence")))
            except Exception:          # unreadable: left for the checkers to report
                fields[1:] = ["?", "?"]
        print(path, *fields)
    return 0


def invite(path, forbid):
    raw = open(path, "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    emit("crlf", "yes" if raw.count(b"\n") == raw.count(b"\r\n") else "no")
    emit("ascii", "yes" if all(b < 0x80 for b in raw) else "no")
    emit("subject", msg["subject"])
    emit("from", ",".join(a.addr_spec.lower() for a in msg["from"].addresses))
    recipients = []
    for header in ("to", "cc", "bcc"):
        if msg[header] is not None:
            recipients += [a.addr_spec.lower() for a in msg[header].addresses]
    emit("recipients", ",".join(recipients))
    emit("message_id", msg["message-id"])
    emit("date", msg["date"])
    emit("mime_version", msg["mime-version"])
    header_facts(raw, msg)
    parts = list(msg.walk())
    emit("parts", ",".join(p.get_content_type() for p in parts))
    plain = [p for p in parts if p.get_content_type() == "text/plain"]
    cals = [p for p in parts if p.get_content_type() == "text/calendar"]
    emit("calendar_parts", len(cals))
    if len(cals) != 1:
        return 1
    cal_part = cals[0]
    emit("mime_method", cal_part.get_param("method") or "")
    emit("mime_charset", (cal_part.get_param("charset") or "").upper())
    emit("calendar_encoding", (cal_part.get("content-transfer-encoding") or "7bit").lower())
    emit("calendar_disposition", cal_part.get_content_disposition() or "none")
    emit("calendar_filename", cal_part.get_filename() or "")
    data = cal_part.get_payload(decode=True)
    text = plain[0].get_content() if plain else ""
    if forbid:
        haystacks = [raw.decode("utf-8", "replace"), str(msg["subject"]), text,
                     data.decode("utf-8", "replace")]
        haystacks += [str(msg[h]) for h in ("to", "from", "cc") if msg[h] is not None]
        found = [f for f in forbid if any(f.lower() in h.lower() for h in haystacks)]
        emit("forbidden_found", ",".join(found) if found else "none")

    cal = icalendar.Calendar.from_ical(data)
    emit("method", cal.get("method"))
    emit("version", cal.get("version"))
    emit("prodid", cal.get("prodid"))
    zones = cal.walk("VTIMEZONE")
    emit("vtimezones", len(zones))
    emit("tzids", ",".join(str(z.get("tzid")) for z in zones))
    emit("tz_parts", ",".join(str(len(z.subcomponents)) for z in zones))
    events = cal.walk("VEVENT")
    emit("vevents", len(events))
    if not events:
        return 1
    ev = events[0]
    emit("uid", ev.get("uid"))
    emit("sequence", int(ev.get("sequence")) if ev.get("sequence") is not None else "")
    emit("status", ev.get("status"))
    emit("summary", ev.get("summary"))
    emit("location", ev.get("location"))
    start = ev.get("dtstart")
    emit("dtstart_tzid", start.params.get("TZID", ""))
    emit("dtstart_local", start.dt.strftime("%Y-%m-%dT%H:%M:%S"))
    emit("dtstart_utc", fmt_utc(start.dt))
    # the same instant through the VTIMEZONE shipped in the message
    by_zone = {str(z.get("tzid")): z.to_tz() for z in zones}
    tzid = start.params.get("TZID")
    if tzid in by_zone:
        local = start.dt.replace(tzinfo=None)
        emit("dtstart_utc_vtimezone", fmt_utc(by_zone[tzid].localize(local)))
    emit("dtend_utc", fmt_utc(ev.get("dtend").dt))
    emit("dtstamp", fmt_utc(ev.get("dtstamp").dt))
    org = ev.get("organizer")
    emit("organiser", addr(org))
    emit("organiser_cn", org.params.get("CN", "") if org is not None else "")
    atts = ev.get("attendee") or []
    if not isinstance(atts, list):
        atts = [atts]
    emit("attendees", ",".join(addr(a) for a in atts))
    emit("attendee_cns", "|".join(str(a.params.get("CN", "")) for a in atts))
    emit("rsvp", ",".join(str(a.params.get("RSVP", "")).upper() for a in atts))
    emit("partstat", ",".join(str(a.params.get("PARTSTAT", "")) for a in atts))
    emit("cutype", ",".join(str(a.params.get("CUTYPE", "")) for a in atts))
    # RFC 7986 CONFERENCE (an online meeting's joining link)
    confs = ev.get("conference") or []
    if not isinstance(confs, list):
        confs = [confs]
    emit("conferences", len(confs))
    emit("conference", ",".join(str(c) for c in confs))
    emit("conference_value", ",".join(str(c.params.get("VALUE", "")) for c in confs))
    emit("conference_feature", ",".join(str(c.params.get("FEATURE", "")) for c in confs))
    emit("conference_label", ",".join(str(c.params.get("LABEL", "")) for c in confs))
    emit("description", ev.get("description") or "")
    emit("text", text)
    emit("role", ",".join(str(a.params.get("ROLE", "")) for a in atts))
    emit("text_plain_first", "yes" if parts[1].get_content_type() == "text/plain" else "no")
    return 0


def reply(args):
    stamp = datetime.datetime(2026, 7, 4, 8, 30, 0, tzinfo=UTC)
    if args.variant == "garbage":
        data = bytes((i * 97 + 13) % 256 for i in range(2048))
        open(args.out, "wb").write(data)
        return 0

    cal = icalendar.Calendar()
    cal.add("prodid", "-//podd tests//python-icalendar reply//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST" if args.variant == "request" else "REPLY")
    ev = icalendar.Event()
    ev.add("uid", args.uid)
    ev.add("sequence", args.sequence)
    ev.add("dtstamp", stamp)
    ev.add("dtstart", datetime.datetime(2026, 7, 15, 9, 0, 0, tzinfo=UTC))
    ev.add("summary", "Placement stability meeting")
    if args.shape != "outlook":         # Outlook.com omits ORGANIZER
        org = icalendar.vCalAddress("mailto:" + ORGANISER)
        org.params["CN"] = icalendar.vText("North pod")
        ev.add("organizer", org, encode=0)
    att = icalendar.vCalAddress(("MAILTO:" if args.shape == "outlook" else "mailto:") + args.attendee)
    att.params["CN"] = icalendar.vText(args.name)
    att.params["PARTSTAT"] = icalendar.vText(args.partstat)
    ev.add("attendee", att, encode=0)
    if args.variant == "two-attendees":
        other = icalendar.vCalAddress("mailto:someone.else@school.example")
        other.params["PARTSTAT"] = icalendar.vText("ACCEPTED")
        ev.add("attendee", other, encode=0)
    cal.add_component(ev)
    ics = cal.to_ical()
    if args.variant == "not-ical":
        ics = b"Thanks, I will be there. Jo\r\n"

    msg = EmailMessage()
    msg["From"] = "%s <%s>" % (args.name, args.attendee)
    msg["To"] = "North pod <%s>" % ORGANISER
    msg["Subject"] = "%s: Placement stability meeting" % args.partstat.capitalize()
    msg["Message-ID"] = "<reply-%s-%s@mail.example>" % (args.partstat.lower(), args.shape)
    msg["Date"] = email.utils.format_datetime(stamp)
    params = {"method": "REQUEST" if args.variant == "request" else "REPLY", "charset": "UTF-8"}
    if args.variant == "no-calendar":
        msg.set_content("I will be there.\n")
    elif args.shape == "outlook":
        msg.set_content(ics, maintype="text", subtype="calendar", cte="base64", params=params)
    elif args.shape == "attached":
        msg.set_content("%s has answered your invitation.\n" % args.name)
        msg.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
    else:
        msg.set_content("%s has answered your invitation.\n" % args.name)
        msg.add_alternative(ics, maintype="text", subtype="calendar", cte="base64", params=params)
    data = msg.as_bytes(policy=email.policy.SMTP)
    open(args.out, "wb").write(data)
    return 0


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("invite")
    p.add_argument("file")
    p.add_argument("--forbid", action="append", default=[])
    p = sub.add_parser("reply")
    p.add_argument("out")
    p.add_argument("--uid", required=True)
    p.add_argument("--sequence", type=int, required=True)
    p.add_argument("--attendee", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--partstat", required=True)
    p.add_argument("--shape", choices=["gmail", "outlook", "attached"], default="gmail")
    p.add_argument("--variant", default="ok",
                   choices=["ok", "two-attendees", "request", "not-ical", "garbage", "no-calendar"])
    p = sub.add_parser("note")
    p.add_argument("file")
    p.add_argument("--forbid", action="append", default=[])
    p = sub.add_parser("scan")
    p.add_argument("dir")
    args = parser.parse_args()
    if args.command == "invite":
        return invite(args.file, args.forbid)
    if args.command == "note":
        return note(args.file, args.forbid)
    if args.command == "scan":
        return scan(args.dir)
    return reply(args)


if __name__ == "__main__":
    sys.exit(main())
