#!/usr/bin/python3
"""standards_sim.py - helper for tests/integration/90-standards.sh.

Its own arithmetic of due dates (tests/datesim.py, independent of
podd's): calendar days, weeks, months (a month end clamps) and working
days (weekends and the bank holidays of England and Wales 2026-2029), at
17:00 Europe/London with the BST rule written out by hand.

    standards_sim.py due DATE AMOUNT UNIT [before]
        prints the due instant (UTC, as podd writes it)
    standards_sim.py sim START_DATE STEPS
        a simulated year for pod "south": drives podd's test clock and the
        real podctl, keeps its own record of every task a standard created
        (due date, who holds it, when it was done) and checks
        `podctl report compliance` against the counts computed from that
        record. Prints "ok - ..." / "not ok - ..." lines.
        Environment: PODCTL, EP, T (the test directory), PODD_CLOCK_FILE.
"""
import datetime as dt
import json
import re
import os
import subprocess
import sys

from datesim import D, BANK_HOLIDAYS, Calendar, at_1700, london_date, parse_date, utc_of

# Working days skip the bank holidays of England and Wales, 2026-2029
CAL = Calendar(BANK_HOLIDAYS)


def parse_timescale(text):
    """'45 working-days' -> (45, 'working-days')"""
    amount, unit = text.split(None, 1)
    return int(amount), unit.strip()



# --------------------------------------------------------------------------
# The rules, read from standards.conf by the test's own small reader

def load_rules(path):
    """{id: {key: value, 'id', 'line'}} in file order; values quoted or bare."""
    rules, cur = {}, None
    with open(path) as f:
        for number, text in enumerate(f, 1):
            text = text.split("#", 1)[0].rstrip()
            m = re.match(r'^( *)([a-z][a-z-]*) *= *(?:"([^"]*)"|(\S+))$', text)
            if not m:
                continue
            indent, key, quoted, bare = m.groups()
            value = quoted if quoted is not None else bare
            if not indent and key == "rule":
                cur = rules.setdefault(value, {"id": value, "line": number})
            elif indent and cur is not None:
                cur[key] = value
    return rules


def age_on(dob, day):
    if not dob:
        return -1
    b = parse_date(dob)
    return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def applies(rule, kind, facts, day):
    """Whether a rule applies to a case of this kind with these facts on day."""
    if rule.get("case-kind") != kind:
        return False
    band = rule.get("age")
    if band:
        age = age_on(facts.get("dob"), day)
        if age < 0:
            return False
        if band.endswith("+"):
            lo, hi = int(band[:-1]), 999
        else:
            lo, hi = (int(x) for x in band.split("-"))
        if not lo <= age <= hi:
            return False
    cond = rule.get("condition")
    if cond == "long-term" and not facts.get("long_term"):
        return False
    if cond == "not-long-term" and facts.get("long_term"):
        return False
    if cond == "family-and-friends" and not facts.get("ff"):
        return False
    if cond == "not-family-and-friends" and facts.get("ff"):
        return False
    return True


def rule_due(rule, day):
    amount, unit = parse_timescale(rule["timescale"])
    return CAL.due(day, amount, unit, rule.get("counts") == "before")


def expect_event(rules, kind, facts, etype, day):
    """[(standard, due)] an event should create, sorted."""
    return sorted((r["id"], rule_due(r, day)) for r in rules.values()
                  if r.get("trigger") == etype and applies(r, kind, facts, day))


def expect_done(rules, kind, facts, standard, day):
    """[(standard, due)] completing a task of `standard` on `day` should create:
    the next one of a recurring standard (from the date done, while it still
    applies) and every rule triggered by that standard being done."""
    out = []
    r = rules.get(standard)
    if r and r.get("recurring") == "1" and applies(r, kind, facts, day):
        out.append((standard, rule_due(r, day)))
    out += [(x["id"], rule_due(x, day)) for x in rules.values()
            if x.get("trigger") == "task-done" and x.get("after-rule") == standard
            and applies(x, kind, facts, day)]
    return sorted(out)


# --------------------------------------------------------------------------
# podctl

class Podctl:
    def __init__(self):
        self.exe = os.environ["PODCTL"]
        self.ep = os.environ["EP"]
        self.t = os.environ["T"]
        self.clock_file = os.environ["PODD_CLOCK_FILE"]
        self.calls = 0

    def run(self, who, *args, ok=True):
        self.calls += 1
        cmd = [self.exe, "-e", self.ep, "-k", "%s/keys/%s.cert" % (self.t, who),
               "-s", "%s/keys/podd.cert" % self.t, "-t", "5", "--json"] + list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        if ok and p.returncode != 0:
            raise RuntimeError("%s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()))
        if p.returncode != 0:
            return p.returncode, p.stderr
        return json.loads(p.stdout) if p.stdout.strip() else None

    def text(self, who, *args):
        self.calls += 1
        cmd = [self.exe, "-e", self.ep, "-k", "%s/keys/%s.cert" % (self.t, who),
               "-s", "%s/keys/podd.cert" % self.t, "-t", "5"] + list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return p.returncode, p.stdout + p.stderr

    def clock(self, instant):
        tmp = self.clock_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(instant + "\n")
        os.replace(tmp, self.clock_file)


# --------------------------------------------------------------------------
# The simulated year

class Report:
    def __init__(self):
        self.fails = 0

    def check(self, desc, cond, detail=""):
        if cond:
            print("ok - %s" % desc)
        else:
            self.fails += 1
            print("not ok - %s%s" % (desc, (": " + detail) if detail else ""))
        sys.stdout.flush()
        return cond


# The year, as the test's own event list: (clock date, actions). Each
# action is ("open", REF, KIND, LEAD) or ("event", REF, TYPE, DATE, extra)
YEAR = [
    ("2027-05-04", [("open", "SC-C1", "carer-household", "tara.sw"),
                    ("open", "SC-C2", "carer-household", "umar.sw"),
                    ("open", "SC-K1", "child", "tara.sw"),
                    ("open", "SC-K2", "child", "umar.sw"),
                    ("event", "SC-C1", "carer-approved", "2027-05-04", {}),
                    ("event", "SC-C2", "panel-date-set", "2027-06-10", {})]),
    ("2027-06-03", [("event", "SC-K1", "referral-received", "2027-05-10", {}),
                    ("event", "SC-K1", "strategy-discussion", "2027-05-24", {}),
                    ("event", "SC-K2", "child-placed", "2027-05-17", {}),
                    ("event", "SC-K2", "became-looked-after", "2027-05-17", {"dob": "2024-02-10"}),
                    ("event", "SC-C1", "child-placed", "2027-05-17", {})]),
    ("2027-07-05", [("event", "SC-K1", "conference-held", "2027-06-14", {}),
                    ("event", "SC-C2", "carer-approved", "2027-06-10", {"ff": True})]),
    ("2027-08-04", [("event", "SC-C1", "allegation", "2027-07-19", {})]),
    ("2027-09-03", [("event", "SC-C1", "placement-difficulty", "2027-08-25", {})]),
    ("2027-10-04", [("open", "SC-K3", "child", "tara.sw"),
                    ("event", "SC-K3", "referral-received", "2027-10-04", {})]),
    ("2027-11-03", [("event", "SC-C2", "child-placed", "2027-10-20", {})]),
    ("2027-12-03", [("event", "SC-K2", "review-held", "2027-11-30", {})]),
    ("2028-01-05", [("event", "SC-K3", "strategy-discussion", "2027-12-13", {})]),
    ("2028-02-03", [("event", "SC-K3", "conference-held", "2028-01-12", {})]),
    ("2028-03-03", [("event", "SC-C2", "allegation", "2028-02-28", {})]),
    ("2028-04-04", [("event", "SC-C2", "placement-difficulty", "2028-04-03", {})]),
]
# How each task is handled, by the order it was created in
POLICY = ["on-due-day", "early", "late", "never", "early", "very-late"]
WHO = "sam.tm"          # the pod's team manager records events and reads reports


def sim(args):
    rep = Report()
    pc = Podctl()
    rules = load_rules(os.path.join(pc.t, "standards.conf"))
    cases = {}          # ref -> {kind, lead, facts}
    tasks = {}          # id -> the test's own record
    order = []          # task ids in the order they appeared
    bad_due = []        # (what, got, wanted)

    def add_tasks(items, today, why, wanted):
        got = sorted((t["standard"], t["due"]) for t in items)
        if got != wanted:
            bad_due.append((why, got, wanted))
        for t in items:
            tasks[t["id"]] = {"id": t["id"], "standard": t["standard"], "case": t["case"],
                              "due": t["due"], "assignee": t["assignee"] or "",
                              "state": t["state"], "done_on": None, "created": today,
                              "policy": POLICY[len(order) % len(POLICY)]}
            order.append(t["id"])

    def standard_tasks(ref):
        return [t for t in pc.run(WHO, "task", "list", "--case", ref)["items"] if t["standard"]]

    for step, (day_text, actions) in enumerate(YEAR):
        today = parse_date(day_text)
        pc.clock(day_text + "T09:00:00Z")
        for a in actions:
            if a[0] == "open":
                _, ref, kind, lead = a
                pc.run(WHO, "case", "open", ref, "--kind", kind, "--lead", lead)
                cases[ref] = {"kind": kind, "lead": lead, "facts": {}}
                continue
            _, ref, etype, date, extra = a
            c = cases[ref]
            args = ["case", "event", ref, "--type", etype, "--date", date]
            if "dob" in extra:
                c["facts"]["dob"] = extra["dob"]
                args += ["--dob", extra["dob"]]
            if extra.get("ff"):
                c["facts"]["ff"] = True
                args += ["--family-and-friends"]
            if etype == "placement-confirmed-long-term":
                c["facts"]["long_term"] = True
            reply = pc.run(WHO, *args)
            add_tasks(reply["created"], today, "%s %s %s" % (ref, etype, date),
                      expect_event(rules, c["kind"], c["facts"], etype, parse_date(date)))
        # Work: each open task is done on time, late or never, by its policy
        for tid in list(order):
            t = tasks[tid]
            if t["done_on"] or t["policy"] == "never":
                continue
            due_day = london_date(t["due"])
            target = {"on-due-day": due_day, "early": due_day - dt.timedelta(days=3),
                      "late": due_day + dt.timedelta(days=2),
                      "very-late": due_day + dt.timedelta(days=20)}[t["policy"]]
            target = max(target, t["created"])
            if target > today:
                continue
            if not t["assignee"] or t["state"] == "open":
                lead = cases[t["case"]]["lead"]
                pc.run(WHO, "task", "reassign", str(tid), "--to", lead, "--reason", "simulation")
                t["assignee"] = lead
            rule = rules[t["standard"]]
            args = ["task", "done", str(tid), "--evidence", "Done (%s)" % t["standard"],
                    "--date", target.isoformat()]
            if rule.get("evidence") == "reference":
                args += ["--reference", "REF-%d" % tid]
            before = {x["id"] for x in standard_tasks(t["case"])}
            reply = pc.run(t["assignee"], *args)
            t["done_on"] = target
            t["state"] = "done"
            if reply.get("done_on") != target.isoformat() or reply.get("on_time") != (target <= due_day):
                bad_due.append(("task %d done" % tid, (reply.get("done_on"), reply.get("on_time")),
                                (target.isoformat(), target <= due_day)))
            c = cases[t["case"]]
            new = [x for x in standard_tasks(t["case"]) if x["id"] not in before]
            add_tasks(new, today, "task %d (%s) done %s" % (tid, t["standard"], target),
                      expect_done(rules, c["kind"], c["facts"], t["standard"], target))

    now_text = YEAR[-1][0] + "T09:00:00Z"
    now = utc_of(now_text)
    rep.check("every event and every completion created exactly the tasks its rules ask for, "
              "due when the test computes (%d tasks)" % len(tasks), not bad_due,
              "; ".join("%s: got %s wanted %s" % b for b in bad_due[:4]))

    # The daemon holds what the test's record holds
    listed = {}
    for ref in cases:
        for x in standard_tasks(ref):
            listed[x["id"]] = x
    diffs = []
    for tid in set(listed) | set(tasks):
        x, t = listed.get(tid), tasks.get(tid)
        if not x or not t:
            diffs.append("task %s only in %s" % (tid, "podd" if x else "the record"))
            continue
        done = t["done_on"].isoformat() if t["done_on"] else None
        if (x["standard"], x["due"], x["done_on"], x["assignee"] or "") != \
           (t["standard"], t["due"], done, t["assignee"]) or (x["state"] == "done") != bool(done):
            diffs.append("task %d: podd %s/%s/%s/%s, record %s/%s/%s/%s" % (
                tid, x["standard"], x["due"], x["done_on"], x["assignee"],
                t["standard"], t["due"], done, t["assignee"]))
    rep.check("podd's tasks of the pod's cases match the test's record", not diffs, "; ".join(diffs[:4]))

    def expected(start, end, member=None, standard=None):
        soon = now + dt.timedelta(days=14)
        rows, members = {}, {}
        for t in tasks.values():
            due = utc_of(t["due"])
            # what is overdue now counts whatever the period
            if not start <= due < end and (t["done_on"] or due >= now):
                continue
            if member and t["assignee"] != member:
                continue
            if standard and t["standard"] != standard:
                continue
            if t["done_on"]:
                bucket = "on_time" if t["done_on"] <= london_date(t["due"]) else "late"
            elif due < now:
                bucket = "overdue"
            elif due < soon:
                bucket = "due_soon"
            else:
                continue
            row = rows.setdefault(t["standard"], {"on_time": 0, "late": 0, "overdue": 0, "due_soon": 0,
                                                  "cases": {"on_time": set(), "late": set(),
                                                            "overdue": set(), "due_soon": set()}})
            row[bucket] += 1
            row["cases"][bucket].add(t["case"])
            if t["assignee"]:
                m = members.setdefault(t["assignee"], {"on_time": 0, "late": 0, "overdue": 0, "due_soon": 0})
                m[bucket] += 1
        return rows, members

    def got(report):
        rows = {}
        for r in report["standards"]:
            rows[r["standard"]] = {k: r[k] for k in ("on_time", "late", "overdue", "due_soon")}
            rows[r["standard"]]["cases"] = {k: set(v) for k, v in r["cases"].items()}
        members = {m["member"]: {k: m[k] for k in ("on_time", "late", "overdue", "due_soon")}
                   for m in report["members"]}
        return rows, members

    def compare(desc, report, want):
        have = got(report)
        if have == want:
            rep.check(desc, True)
            return
        bad = ["%s: podd %s, test %s" % (k, have[0].get(k), want[0].get(k))
               for k in sorted(set(have[0]) | set(want[0])) if have[0].get(k) != want[0].get(k)]
        bad += ["member %s: podd %s, test %s" % (k, have[1].get(k), want[1].get(k))
                for k in sorted(set(have[1]) | set(want[1])) if have[1].get(k) != want[1].get(k)]
        rep.check(desc, False, "; ".join(bad[:5]))

    # Default period: the last 365 days to now + 14 days
    want = expected(now - dt.timedelta(days=365), now + dt.timedelta(days=14))
    totals = {b: sum(r[b] for r in want[0].values()) for b in ("on_time", "late", "overdue", "due_soon")}
    rep.check("the simulated year has work in every column (%s)" % totals, all(totals.values()))
    report = pc.run(WHO, "report", "compliance")
    compare("report compliance (default period) equals the test's own count", report, want)
    rep.check("the default period is the last 365 days to now + 14 days (%s .. %s)" % (report["from"], report["to"]),
              report["from"] == (now - dt.timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ")
              and report["to"] == (now + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M:%SZ")
              and report["now"] == now_text)

    # The year, as dates: [from, to) of the due dates, each day 17:00 London
    f, to = "2027-05-01", "2028-05-01"
    want_year = expected(utc_of(at_1700(parse_date(f))), utc_of(at_1700(parse_date(to))))
    compare("report compliance --from %s --to %s equals the test's own count" % (f, to),
            pc.run(WHO, "report", "compliance", "--from", f, "--to", to), want_year)
    # A narrower period that cuts the year in two
    f2, to2 = "2027-09-01", "2028-01-01"
    compare("report compliance --from %s --to %s equals the test's own count" % (f2, to2),
            pc.run(WHO, "report", "compliance", "--from", f2, "--to", to2),
            expected(utc_of(at_1700(parse_date(f2))), utc_of(at_1700(parse_date(to2)))))

    # One member
    for member in ("tara.sw", "umar.sw"):
        compare("report compliance --member %s equals the test's count of that member's tasks" % member,
                pc.run(WHO, "report", "compliance", "--member", member, "--from", f, "--to", to),
                expected(utc_of(at_1700(parse_date(f))), utc_of(at_1700(parse_date(to))), member=member))
    # One standard
    busiest = max(want_year[0], key=lambda k: sum(want_year[0][k][b] for b in totals))
    compare("report compliance --standard %s equals the test's count" % busiest,
            pc.run(WHO, "report", "compliance", "--standard", busiest, "--from", f, "--to", to),
            expected(utc_of(at_1700(parse_date(f))), utc_of(at_1700(parse_date(to))), standard=busiest))
    # A member of the pod sees it; another pod's manager does not
    rc, out = pc.text("tara.sw", "report", "compliance", "--from", f, "--to", to)
    rep.check("a social worker of the pod sees the pod's report", rc == 0 and "STANDARD" in out, out[:200])
    rc, out = pc.text("alice.tm", "report", "compliance", "--pod", "south")
    rep.check("another pod's manager is refused the pod's report (403)", rc == 2 and "403" in out, out[:200])

    # --csv: a header line, one row per standard, a blank line, the members
    rc, out = pc.text(WHO, "report", "compliance", "--from", f, "--to", to, "--csv")
    lines = out.rstrip("\n").split("\n")
    ok = rc == 0 and lines and lines[0] == "standard,title,on_time,late,overdue,due_soon,cancelled,unassigned"
    rows, members, part = {}, {}, 1
    for line in lines[1:] if ok else []:
        if line == "":
            part += 1
            continue
        if part == 2 and line == "member,on_time,late,overdue,due_soon":
            continue
        cells = line.split(",")
        if part == 1:
            rows[cells[0]] = [int(x) for x in cells[-6:-2]]     # then cancelled, unassigned
        else:
            members[cells[0]] = [int(x) for x in cells[1:]]
    want_rows = {k: [v[b] for b in ("on_time", "late", "overdue", "due_soon")] for k, v in want_year[0].items()}
    want_members = {k: [v[b] for b in ("on_time", "late", "overdue", "due_soon")] for k, v in want_year[1].items()}
    rep.check("--csv: header line, then one row per standard with the test's counts",
              ok and rows == want_rows, "got %s" % out[:300])
    rep.check("--csv: a blank line, then member rows with the test's counts",
              ok and part == 2 and members == want_members, "got %s" % out[-300:])

    # The readable table
    rc, out = pc.text(WHO, "report", "compliance", "--from", f, "--to", to)
    table = {}
    for line in out.split("\n"):
        cells = line.split()
        if len(cells) >= 5 and all(x.isdigit() for x in cells[1:5]):     # standards: then
            table[cells[0]] = [int(x) for x in cells[1:5]]              # 2 counts, title
    rep.check("the readable table has the columns STANDARD ON-TIME LATE OVERDUE DUE-14D",
              rc == 0 and re.search(r"STANDARD +ON-TIME +LATE +OVERDUE +DUE-14D", out) is not None, out[:300])
    rep.check("the readable table shows each standard's and each member's counts",
              {k: v for k, v in table.items() if k in want_rows} == want_rows
              and {k: v for k, v in table.items() if k in want_members} == want_members, out[:600])
    overdue_case = next((sorted(r["cases"]["overdue"])[0] for r in want_year[0].values() if r["overdue"]), None)
    rep.check("the readable table names the cases behind the numbers (%s)" % overdue_case,
              overdue_case is not None and overdue_case in out, out[:600])
    print("# simulated year: %d tasks by standards, %d podctl calls" % (len(tasks), pc.calls))
    return rep.fails


def created_check(args):
    """Every task in an event reply (stdin) is due when the rule says:
    standards_sim.py created STANDARDS_CONF KIND DATE [DOB]"""
    rules = load_rules(args[0])
    reply = json.load(sys.stdin)
    facts = {"dob": args[3]} if len(args) > 3 else {}
    got = sorted((t["standard"], t["due"]) for t in reply["created"])
    want = expect_event(rules, args[1], facts, reply["event"]["type"], parse_date(args[2]))
    if got != want:
        print("podd %s, test %s" % (got, want))
        return 1
    return 0


def mutate(args):
    """standards_sim.py mutate SRC DST RULE KEY=VALUE|KEY=|+KEY=VALUE...
    writes SRC with RULE changed (KEY= deletes the key; rule=ID renames it;
    +KEY=VALUE adds a line) and prints the rule's line range."""
    src, dst, rule = args[0], args[1], args[2]
    lines = open(src).read().split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith('rule = "%s"' % rule))
    end = next((i for i in range(start + 1, len(lines))
                if re.match(r"^\S", lines[i]) and not lines[i].startswith("#")), len(lines))
    for change in args[3:]:
        key, value = change.split("=", 1)
        if key.startswith("+"):
            lines.insert(start + 1, '    %s = "%s"' % (key[1:], value))
            end += 1
            continue
        if key == "rule":
            lines[start] = 'rule = "%s"' % value
            continue
        for i in range(start + 1, end):
            if re.match(r"^ +%s *=" % re.escape(key), lines[i]):
                if value == "":
                    del lines[i]
                    end -= 1
                else:
                    lines[i] = '    %s = "%s"' % (key, value)
                break
        else:
            raise SystemExit("no key %s in rule %s" % (key, rule))
    open(dst, "w").write("\n".join(lines))
    # lines of the rule, 1-based, from its "rule =" line to its last line
    print(start + 1, end)
    return 0


if __name__ == "__main__":
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd == "due":
        print(CAL.due(rest[0], rest[1], rest[2], len(rest) > 3 and rest[3] == "before"))
        sys.exit(0)
    if cmd == "created":
        sys.exit(created_check(rest))
    if cmd == "mutate":
        sys.exit(mutate(rest))
    if cmd == "sim":
        sys.exit(1 if sim(rest) else 0)
    sys.exit("usage: standards_sim.py due|created|mutate|sim ...")
