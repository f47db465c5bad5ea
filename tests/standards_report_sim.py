#!/usr/bin/python3
"""standards_report_sim.py - a simulated half year for pod "south" that
hides nothing: run by tests/integration/93-report.sh.

It drives podd's test clock and the real podctl, and handles each task a
practice standard creates by a policy: done on time, early or late, never
done, cancelled by the team manager with a reason, declined by every
member it goes to, or rescheduled by the team manager and then done. It
keeps its own record of every task (due date, holder, state, who
cancelled it and why, who declined it) and checks:

  * a rescheduled task is due when the test computes (17:00 London on the
    new day, with the BST rule written out here), and the next task of a
    recurring standard counts from the day the rescheduled one was done;
  * cancelling says the chain stops exactly when the test's reading of
    standards.conf says the rule recurs or is followed by another;
  * `podctl report compliance` (several periods, --member, --standard,
    --csv) equals the counts the test makes from its own record: on time,
    late, overdue (whatever the period), due soon, cancelled and held by
    nobody, and names who cancelled and why, and who declined;
  * `task list --overdue` shows every overdue task nobody holds.

Its date arithmetic is the tests' own (tests/datesim.py, not taken from
podd). Prints "ok - ..." / "not ok - ..." lines.
Environment: PODCTL, EP, T (the test directory), PODD_CLOCK_FILE.
"""
import datetime as dt
import json
import os
import subprocess
import sys

from datesim import Calendar, at_1700, bank_holidays, london_date, london_midnight, parse_date, utc_of
from standards_sim import load_rules

# Working days skip the bank holidays of England and Wales, 2027-2028
CAL = Calendar(bank_holidays(2027, 2028))


def chain_goes_on(rules, standard):
    """Whether something follows a standard's task: it recurs, or a rule
    is triggered by it being done."""
    r = rules.get(standard, {})
    return r.get("recurring") == "1" or any(
        x.get("trigger") == "task-done" and x.get("after-rule") == standard for x in rules.values())


class Podctl:
    def __init__(self):
        self.exe, self.ep, self.t = os.environ["PODCTL"], os.environ["EP"], os.environ["T"]
        self.clock_file = os.environ["PODD_CLOCK_FILE"]
        self.calls = 0

    def _cmd(self, who):
        return [self.exe, "-e", self.ep, "-k", "%s/keys/%s.cert" % (self.t, who),
                "-s", "%s/keys/podd.cert" % self.t, "-t", "5"]

    def run(self, who, *args):
        self.calls += 1
        p = subprocess.run(self._cmd(who) + ["--json"] + list(args), capture_output=True, text=True,
                           timeout=30)
        if p.returncode != 0:
            raise RuntimeError("%s %s: exit %d: %s" % (who, " ".join(args), p.returncode, p.stderr.strip()))
        return json.loads(p.stdout) if p.stdout.strip() else None

    def text(self, who, *args):
        self.calls += 1
        p = subprocess.run(self._cmd(who) + list(args), capture_output=True, text=True, timeout=30)
        return p.returncode, p.stdout + p.stderr

    def clock(self, instant):
        with open(self.clock_file + ".tmp", "w") as f:
            f.write(instant + "\n")
        os.replace(self.clock_file + ".tmp", self.clock_file)


FAILS = 0


def check(desc, cond, detail=""):
    global FAILS
    if not cond:
        FAILS += 1
    print("%s - %s%s" % ("ok" if cond else "not ok", desc, "" if cond or not detail else ": " + detail))
    sys.stdout.flush()
    return cond


WHO = "sam.tm"      # the team manager: records events, cancels, reschedules, reads reports
# (clock date, actions): ("open", REF, KIND, LEAD) or ("event", REF, TYPE, DATE)
STEPS = [
    ("2027-05-04", [("open", "RS-C1", "carer-household", "tara.sw"),
                    ("open", "RS-C2", "carer-household", "umar.sw"),
                    ("open", "RS-K1", "child", "umar.sw"),
                    ("event", "RS-C1", "carer-approved", "2027-05-04"),
                    ("event", "RS-K1", "conference-held", "2027-05-04")]),
    ("2027-06-07", []),
    ("2027-07-05", [("event", "RS-C2", "carer-approved", "2027-07-01")]),
    ("2027-08-04", []),
    ("2027-09-06", []),
    ("2027-10-04", [("open", "RS-K2", "child", "tara.sw"),
                    ("event", "RS-K2", "child-placed", "2027-10-04")]),
]
# How each task is handled, by the order it appeared in
POLICY = ["on-time", "cancel", "late", "decline-all", "reschedule", "never", "early", "cancel",
          "decline-all"]


def main():
    pc = Podctl()
    rules = load_rules(os.path.join(pc.t, "standards.conf"))
    cases, tasks, order, bad = {}, {}, [], []

    def standard_tasks(ref):
        return [t for t in pc.run(WHO, "task", "list", "--case", ref)["items"] if t["standard"]]

    def take(items, today):
        for t in items:
            if t["id"] in tasks:
                continue
            tasks[t["id"]] = {"id": t["id"], "standard": t["standard"], "case": t["case"],
                              "title": t["title"], "due": t["due"], "assignee": t["assignee"] or "",
                              "state": t["state"], "done_on": None, "created": today,
                              "declined_by": set(), "by": None, "reason": None,
                              "policy": POLICY[len(order) % len(POLICY)], "moved": False}
            order.append(t["id"])

    def new_on(ref, before, today):
        take([x for x in standard_tasks(ref) if x["id"] not in before], today)

    for day_text, actions in STEPS:
        today = parse_date(day_text)
        pc.clock(day_text + "T09:00:00Z")
        for a in actions:
            if a[0] == "open":
                pc.run(WHO, "case", "open", a[1], "--kind", a[2], "--lead", a[3])
                cases[a[1]] = a[3]
                continue
            reply = pc.run(WHO, "case", "event", a[1], "--type", a[2], "--date", a[3])
            take(reply["created"], today)
            new_on(a[1], set(tasks), today)
        for tid in list(order):
            t = tasks[tid]
            if t["state"] in ("done", "cancelled", "declined") or t["policy"] == "never":
                continue
            due_day = london_date(t["due"])
            policy = t["policy"]
            if policy == "decline-all":
                for _ in range(8):
                    if not t["assignee"]:
                        break
                    holder = t["assignee"]
                    reply = pc.run(holder, "task", "decline", str(tid), "--reason", "No capacity this month")
                    t["declined_by"].add(holder)
                    t["assignee"], t["state"] = reply["assignee"] or "", reply["state"]
                if t["state"] != "declined":
                    bad.append("task %d: declined by %s but %s" % (tid, sorted(t["declined_by"]), t["state"]))
                continue
            if policy == "cancel":
                if due_day - dt.timedelta(days=3) > today:
                    continue
                reason = "Plan changed at the review (task %d)" % tid
                reply = pc.run(WHO, "task", "cancel", str(tid), "--reason", reason)
                t["state"], t["by"], t["reason"] = "cancelled", WHO, reason
                if reply.get("chain_stops") != chain_goes_on(rules, t["standard"]):
                    bad.append("task %d (%s) cancelled: chain_stops %s, test %s" % (
                        tid, t["standard"], reply.get("chain_stops"), chain_goes_on(rules, t["standard"])))
                continue
            if policy == "reschedule" and not t["moved"]:
                moved = max(due_day, today) + dt.timedelta(days=7)
                reply = pc.run(WHO, "task", "reschedule", str(tid), "--due", moved.isoformat(),
                               "--reason", "Family away; agreed with the child's social worker")
                t["moved"] = True
                if reply["due"] != at_1700(moved):
                    bad.append("task %d rescheduled to %s: due %s, test %s" % (tid, moved, reply["due"], at_1700(moved)))
                t["due"] = reply["due"]
                due_day = london_date(t["due"])
            target = {"on-time": due_day, "early": due_day - dt.timedelta(days=3),
                      "late": due_day + dt.timedelta(days=2), "reschedule": due_day}[policy]
            target = max(target, t["created"])
            if target > today:
                continue
            if not t["assignee"] or t["state"] == "open":
                pc.run(WHO, "task", "reassign", str(tid), "--to", cases[t["case"]], "--reason", "simulation")
                t["assignee"] = cases[t["case"]]
            args = ["task", "done", str(tid), "--evidence", "Done (%s)" % t["standard"], "--date", target.isoformat()]
            if rules.get(t["standard"], {}).get("evidence") == "reference":
                args += ["--reference", "REF-%d" % tid]
            before = set(tasks)
            reply = pc.run(t["assignee"], *args)
            t["state"], t["done_on"] = "done", target
            fresh = [x for x in standard_tasks(t["case"]) if x["id"] not in before]
            take(fresh, today)
            r = rules.get(t["standard"], {})
            if policy == "reschedule" and r.get("recurring") == "1":
                amount, unit = r["timescale"].split(None, 1)
                want = CAL.due(target, amount, unit.strip(), r.get("counts") == "before")
                got = [x["due"] for x in fresh if x["standard"] == t["standard"]]
                if got != [want]:
                    bad.append("task %d rescheduled and done %s: next %s, test %s" % (tid, target, got, want))

    check("rescheduled tasks are due when the test computes, chains go on from them, and cancelling "
          "says whether the chain stops as the test reads the rules (%d tasks)" % len(tasks), not bad,
          "; ".join(bad[:4]))
    policies = {p: sum(1 for t in tasks.values() if t["policy"] == p) for p in set(POLICY)}
    check("the half year has tasks of every policy (%s)" % policies, all(policies.values()))

    # podd holds what the record holds
    diffs = []
    listed = {x["id"]: x for ref in cases for x in standard_tasks(ref)}
    for tid in set(listed) | set(tasks):
        x, t = listed.get(tid), tasks.get(tid)
        if not x or not t:
            diffs.append("task %s only in %s" % (tid, "podd" if x else "the record"))
            continue
        done = t["done_on"].isoformat() if t["done_on"] else None
        if (x["due"], x["done_on"], x["assignee"] or "", x["state"]) != (t["due"], done, t["assignee"], t["state"]):
            diffs.append("task %d: podd %s/%s/%s/%s, record %s/%s/%s/%s" % (
                tid, x["due"], x["done_on"], x["assignee"], x["state"], t["due"], done, t["assignee"], t["state"]))
    check("podd's tasks match the test's record", not diffs, "; ".join(diffs[:4]))

    now_text = STEPS[-1][0] + "T09:00:00Z"
    now = utc_of(now_text)
    counts = ("on_time", "late", "overdue", "due_soon", "cancelled", "unassigned")

    def expected(start, end, member=None, standard=None):
        soon = now + dt.timedelta(days=14)
        rows, members, lists = {}, {}, {"cancelled": {}, "unassigned": {}, "overdue": {}}
        for t in tasks.values():
            due = utc_of(t["due"])
            live = t["state"] not in ("done", "cancelled")
            if not (start <= due < end or (live and due < now)):
                continue
            if (member and t["assignee"] != member) or (standard and t["standard"] != standard):
                continue
            if t["state"] == "done":
                bucket = "on_time" if t["done_on"] <= london_date(t["due"]) else "late"
            elif t["state"] == "cancelled":
                bucket = "cancelled"
            elif due < now:
                bucket = "overdue"
            elif due < soon:
                bucket = "due_soon"
            else:
                continue
            row = rows.setdefault(t["standard"], dict.fromkeys(counts, 0))
            row[bucket] += 1
            if bucket == "cancelled":
                lists["cancelled"][t["id"]] = (t["by"], t["reason"])
                continue
            if bucket == "overdue":
                lists["overdue"][t["id"]] = t["assignee"] or None
            if not t["assignee"] and bucket in ("overdue", "due_soon"):
                row["unassigned"] += 1
                lists["unassigned"][t["id"]] = ("declined by everyone" if t["declined_by"] else "nobody free",
                                                sorted(t["declined_by"]))
            if t["assignee"]:
                m = members.setdefault(t["assignee"], dict.fromkeys(counts[:4], 0))
                m[bucket] += 1
        return rows, members, lists

    def got(report):
        rows = {r["standard"]: {k: r[k] for k in counts} for r in report["standards"]}
        members = {m["member"]: {k: m[k] for k in counts[:4]} for m in report["members"]}
        lists = {"cancelled": {x["task"]: (x["by"], x["reason"]) for x in report["cancelled_tasks"]},
                 "unassigned": {x["task"]: (x["why"], x["declined_by"]) for x in report["unassigned_tasks"]},
                 "overdue": {x["task"]: x["assignee"] for x in report["overdue_tasks"]}}
        return rows, members, lists

    def compare(desc, report, want):
        have = got(report)
        names = ("standards", "members", "lists")
        bad = ["%s %s: podd %s, test %s" % (names[i], k, have[i].get(k), want[i].get(k))
               for i in range(3) for k in sorted(set(have[i]) | set(want[i]), key=str)
               if have[i].get(k) != want[i].get(k)]
        check(desc, not bad, "; ".join(bad[:5]))

    year_ago = now - dt.timedelta(days=365)
    want = expected(year_ago, now + dt.timedelta(days=14))
    totals = {b: sum(r[b] for r in want[0].values()) for b in counts}
    check("the half year has work in every count of the report (%s)" % totals, all(totals.values()))
    compare("report compliance (default period) equals the test's own count, with who cancelled "
            "and why and who declined", pc.run(WHO, "report", "compliance"), want)
    for f, to in (("2027-05-01", "2027-11-01"), ("2027-08-01", "2027-09-01"), ("2027-09-20", "2027-12-31")):
        compare("report compliance --from %s --to %s (whole London days; overdue whatever the period) "
                "equals the test's own count" % (f, to), pc.run(WHO, "report", "compliance", "--from", f, "--to", to),
                expected(london_midnight(parse_date(f)), london_midnight(parse_date(to) + dt.timedelta(days=1))))
    f, to = "2027-05-01", "2027-11-01"
    start, end = london_midnight(parse_date(f)), london_midnight(parse_date(to) + dt.timedelta(days=1))
    for member in ("tara.sw", "umar.sw"):
        compare("report compliance --member %s equals the test's count" % member,
                pc.run(WHO, "report", "compliance", "--member", member, "--from", f, "--to", to),
                expected(start, end, member=member))
    cancelled_std = sorted({t["standard"] for t in tasks.values() if t["state"] == "cancelled"})[0]
    compare("report compliance --standard %s equals the test's count" % cancelled_std,
            pc.run(WHO, "report", "compliance", "--standard", cancelled_std, "--from", f, "--to", to),
            expected(start, end, standard=cancelled_std))

    # --csv: the six counts per standard
    rc, out = pc.text(WHO, "report", "compliance", "--from", f, "--to", to, "--csv")
    lines = out.split("\n")
    want_year = expected(start, end)
    rows = {}
    for line in lines[1:]:
        if not line:
            break
        cells = line.split(",")
        rows[cells[0]] = [int(x) for x in cells[-6:]]
    check("--csv: the header names the six counts and each row holds the test's counts",
          rc == 0 and lines[0] == "standard,title,on_time,late,overdue,due_soon,cancelled,unassigned"
          and rows == {k: [v[b] for b in counts] for k, v in want_year[0].items()}, out[:400])

    # Every overdue task nobody holds is in the team manager's overdue list
    overdue = {t["id"]: t for t in pc.run(WHO, "task", "list", "--overdue")["items"]}
    nobody = [tid for tid, holder in want[2]["overdue"].items() if holder is None]
    check("task list --overdue shows the team manager the %d overdue tasks nobody holds" % len(nobody),
          nobody and all(tid in overdue and overdue[tid]["assignee"] is None for tid in nobody),
          "missing %s" % [tid for tid in nobody if tid not in overdue])
    print("# simulated half year: %d tasks by standards, %d podctl calls" % (len(tasks), pc.calls))
    return FAILS


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
