#!/usr/bin/python3
"""standards_rules_sim.py - helper for tests/integration/92-stdrules.sh.

Its own arithmetic of due dates, written apart from podd's (the tests'
own, tests/datesim.py): calendar days, weeks, months (a month end
clamps), working days (weekends and the bank holidays of England and
Wales that the test's bank-holiday file lists: 2026 and 2027 only, so
that 2028 is "bank holidays unknown"), birthdays (29 February falls on
28 February in other years), 17:00 and 00:00 Europe/London with the BST
rule written out by hand.

    standards_rules_sim.py due DATE AMOUNT UNIT
        prints the due instant (UTC, as podd writes it)
    standards_rules_sim.py midnight DATE
        prints 00:00 London on DATE as a Unix time (an age moment)
    standards_rules_sim.py phase NAME
        drives podd's test clock and the real podctl through one phase of
        the scenario (allegation cases, the new statutory rules, age
        triggers); prints "ok - ..." / "not ok - ..." lines.
        Environment: PODCTL, EP, T, PODD_CLOCK_FILE.
"""
import json
import os
import subprocess
import sys
import time

from datesim import Calendar, add_months, at_1700, bank_holidays, midnight_epoch, parse_date

# The bank holidays of the test's file (config/bank-holidays.conf cut
# after 2027), so that 2028 is "bank holidays unknown"
LAST_HOLIDAY_YEAR = 2027
CAL = Calendar(bank_holidays(2026, LAST_HOLIDAY_YEAR))
due = CAL.due


# --------------------------------------------------------------------------
# podctl

class Pod:
    def __init__(self):
        self.exe, self.ep, self.t = os.environ["PODCTL"], os.environ["EP"], os.environ["T"]
        self.clock_file = os.environ["PODD_CLOCK_FILE"]
        self.fails = 0

    def run(self, who, *args, ok=True):
        cmd = [self.exe, "-e", self.ep, "-k", "%s/keys/%s.cert" % (self.t, who),
               "-s", "%s/keys/podd.cert" % self.t, "-t", "5", "--json"] + list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        if ok and p.returncode != 0:
            raise RuntimeError("%s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()))
        if p.returncode != 0:
            return p.returncode, p.stderr
        return json.loads(p.stdout) if p.stdout.strip() else None

    def clock(self, instant):
        with open(self.clock_file + ".tmp", "w") as f:
            f.write(instant + "\n")
        os.replace(self.clock_file + ".tmp", self.clock_file)

    def check(self, desc, cond, detail=""):
        print(("ok - %s" if cond else "not ok - %s") % desc + ("" if cond else ": %s" % detail))
        sys.stdout.flush()
        self.fails += not cond
        return cond

    def tasks(self, ref, standard=None):
        items = self.run("alice.tm", "task", "list", "--case", ref)["items"]
        return [t for t in items if standard is None or t["standard"] == standard]

    def wait_tasks(self, ref, standard, count=1, seconds=6.0):
        """The case's tasks of a standard once there are `count` (the scheduler works alone)."""
        end = time.time() + seconds
        while True:
            found = self.tasks(ref, standard)
            if len(found) >= count or time.time() > end:
                return found
            time.sleep(0.2)

    def event(self, ref, etype, date, *extra):
        return self.run("alice.tm", "case", "event", ref, "--type", etype, "--date", date, *extra)

    def done(self, who, task_id, date, *extra):
        return self.run(who, "task", "done", str(task_id), "--evidence", "Done", "--date", date,
                        "--reference", "REF-1", *extra)


def created(reply, standard):
    return [t["due"] for t in reply["created"] if t["standard"] == standard]


def one_due(pod, desc, got, want):
    pod.check("%s: due %s" % (desc, want), got == [want], "got %s" % got)


# --------------------------------------------------------------------------
# The scenario, phase by phase (the bash test restarts podd between some)

def phase_open(pod):
    """Monday 4 January 2027: cases opened, carers approved, ages recorded."""
    pod.clock("2027-01-04T09:00:00Z")
    for ref, kind, lead in (("AL-K1", "child", "dev.sw"), ("AL-K2", "child", "dev.sw"),
                            ("AL-C1", "carer-household", "erin.sw"),
                            ("AG-K1", "child", "dev.sw"), ("AG-K2", "child", "dev.sw"),
                            ("AG-K3", "child", "dev.sw"), ("AG-K5", "child", "dev.sw")):
        pod.run("alice.tm", "case", "open", ref, "--kind", kind, "--lead", lead)
    r = pod.event("AL-C1", "carer-approved", "2027-01-04")
    one_due(pod, "handover visit 3 working days after approval, not on the day",
            created(r, "carer-handover-visit"), due("2027-01-04", 3, "working-days"))
    one_due(pod, "training and support plan at approval", created(r, "carer-support-plan-initial"),
            due("2027-01-04", 0, "days"))
    one_due(pod, "supervision visit 6 weeks after approval (local choice)",
            created(r, "carer-supervision-visit"), due("2027-01-04", 6, "weeks"))
    # AG-K1 turns 16 on 20 January 2027, looked after: transition planning
    # (14 passed before the case opened) counts from the case's start now
    r = pod.event("AG-K1", "became-looked-after", "2027-01-04", "--dob", "2011-01-20")
    one_due(pod, "care plan 10 working days after becoming looked after",
            created(r, "cic-care-plan"), due("2027-01-04", 10, "working-days"))
    one_due(pod, "a looked-after child already past 14: transition planning counted from "
            "when the case opened", created(r, "transition-planning"),
            due("2027-01-04", 20, "working-days"))
    pod.check("no needs assessment before the 16th birthday",
              created(r, "pathway-needs-assessment") == [], str(r["created"]))
    pod.check("no warning when the date of birth is recorded", not r.get("warnings"), str(r))
    # AG-K2 turns 14 on Sunday 28 February 2027 (born 2013-02-28)
    pod.event("AG-K2", "became-looked-after", "2027-01-04", "--dob", "2013-02-28")
    # AG-K3 turns 16 on 10 February 2027 but is not looked after (yet)
    pod.event("AG-K3", "referral-received", "2027-01-04", "--dob", "2011-02-10")
    # AG-K5 is 17 when first recorded, looked after from today
    r = pod.event("AG-K5", "became-looked-after", "2027-01-04", "--dob", "2009-09-15")
    one_due(pod, "a looked-after 17-year-old first recorded today: needs assessment counted "
            "from today (3 months, on Sunday 4 April: the law's date stays)",
            created(r, "pathway-needs-assessment"), due("2027-01-04", 3, "months"))


def phase_birthdays(pod):
    """The scheduler fires age rules at 00:00 London on the birthday."""
    pod.clock("2027-01-19T23:59:00Z")
    time.sleep(0.8)
    pod.check("on the eve of the 16th birthday there is no needs assessment",
              pod.tasks("AG-K1", "pathway-needs-assessment") == [])
    pod.clock("2027-01-20T00:00:30Z")
    got = [t["due"] for t in pod.wait_tasks("AG-K1", "pathway-needs-assessment")]
    one_due(pod, "16th birthday (20 January 2027): needs assessment by 16 years 3 months",
            got, at_1700(add_months(add_months(parse_date("2011-01-20"), 16 * 12), 3)))
    pod.clock("2027-02-10T00:00:30Z")
    time.sleep(0.8)
    pod.check("a child who is not looked after turns 16: no needs assessment",
              pod.tasks("AG-K3", "pathway-needs-assessment") == [])
    pod.clock("2027-02-28T00:00:30Z")
    got = [t["due"] for t in pod.wait_tasks("AG-K2", "transition-planning")]
    one_due(pod, "14th birthday on a Sunday (28 February 2027): transition planning, "
            "20 working days across Easter", got, due("2027-02-28", 20, "working-days"))


def phase_looked_after_later(pod):
    """1 March 2027: AG-K3, 16 since 10 February, becomes looked after."""
    pod.clock("2027-03-01T10:00:00Z")
    r = pod.event("AG-K3", "became-looked-after", "2027-03-01")
    one_due(pod, "looked after after the 16th birthday: needs assessment counted from the day "
            "the child became looked after", created(r, "pathway-needs-assessment"),
            due("2027-03-01", 3, "months"))
    one_due(pod, "... and transition planning too", created(r, "transition-planning"),
            due("2027-03-01", 20, "working-days"))
    task = pod.tasks("AG-K1", "pathway-needs-assessment")[0]
    code, err = pod.run("dev.sw", "task", "done", str(task["id"]), "--evidence", "x",
                        "--reference", "NA-1", "--date", "2027-01-19", ok=False)
    pod.check("a needs assessment 'done' the day before the birthday that started it is 422",
              code != 0 and "422" in err and "2027-01-20" in err, err)
    pod.done("dev.sw", task["id"], "2027-02-26")
    got = [t["due"] for t in pod.tasks("AG-K1", "pathway-plan-review") if t["state"] != "done"]
    one_due(pod, "needs assessment done 26 February: pathway plan review within 6 months",
            got, due("2027-02-26", 6, "months"))
    # supervision visits re-arm from the date done
    visit = pod.tasks("AL-C1", "carer-supervision-visit")[0]
    pod.done("erin.sw", visit["id"], "2027-02-12")
    got = [t["due"] for t in pod.tasks("AL-C1", "carer-supervision-visit") if t["state"] != "done"]
    one_due(pod, "a supervision visit done 12 February: the next 6 weeks on", got,
            due("2027-02-12", 6, "weeks"))


def phase_allegations(pod):
    """Thursday 25 March 2027, before Easter (26 and 29 March)."""
    pod.clock("2027-03-25T10:00:00Z")
    r = pod.event("AL-K1", "referral-received", "2027-03-25")
    one_due(pod, "referral decision within 1 working day, across Easter",
            created(r, "child-referral-decision"), due("2027-03-25", 1, "working-days"))
    r = pod.event("AL-K1", "allegation", "2027-03-25", "--dob", "2016-06-01")
    one_due(pod, "an allegation on a child's case: strategy discussion",
            created(r, "child-strategy-after-allegation"), due("2027-03-25", 1, "working-days"))
    r = pod.event("AL-K1", "significant-harm-concern", "2027-03-24")
    one_due(pod, "a concern of significant harm: strategy discussion",
            created(r, "child-strategy-after-harm"), due("2027-03-24", 1, "working-days"))
    r = pod.event("AL-K1", "professional-allegation", "2027-03-25")
    one_due(pod, "an allegation against a professional: the LADO within 1 working day",
            created(r, "child-lado-professional"), due("2027-03-25", 1, "working-days"))
    r = pod.event("AL-K2", "child-placed", "2027-03-25", "--dob", "2015-01-01")
    one_due(pod, "placement plan within 5 working days of the placement",
            created(r, "cic-placement-plan"), due("2027-03-25", 5, "working-days"))
    r = pod.event("AL-K2", "became-looked-after", "2027-03-25")
    one_due(pod, "care plan within 10 working days", created(r, "cic-care-plan"),
            due("2027-03-25", 10, "working-days"))
    r = pod.event("AL-C1", "allegation", "2027-03-25")
    one_due(pod, "an allegation against carers: the LADO within 1 working day",
            created(r, "carer-lado"), due("2027-03-25", 1, "working-days"))
    one_due(pod, "... and an early review in 4 weeks", created(r, "carer-allegation-review"),
            due("2027-03-25", 4, "weeks"))
    r = pod.run("erin.sw", "case", "note", "AL-C1", "Carer shouted at the child (practice concern)",
                "--kind", "concern", "--date", "2027-03-25")
    one_due(pod, "case note --kind concern: an early review after a practice concern",
            created(r, "carer-concern-review"), due("2027-03-25", 4, "weeks"))


def phase_reviews(pod):
    """Tuesday 6 April 2027: early review done; annual reviews; panel once."""
    pod.clock("2027-04-06T09:00:00Z")
    annual = pod.tasks("AL-C1", "carer-annual-review")
    pod.check("one annual review, due a year after approval",
              [t["due"] for t in annual] == [due("2027-01-04", 12, "months")], str(annual))
    review = pod.tasks("AL-C1", "carer-concern-review")[0]
    pod.run("erin.sw", "task", "done", str(review["id"]), "--evidence", "Early review held",
            "--date", "2027-04-06")
    annual = pod.tasks("AL-C1", "carer-annual-review")
    pod.check("the early review done 6 April restarts the annual review's clock: due %s"
              % due("2027-04-06", 12, "months"),
              [t["due"] for t in annual] == [due("2027-04-06", 12, "months")], str(annual))
    show = pod.run("alice.tm", "task", "show", str(annual[0]["id"]))
    pod.check("... with the reason in its history",
              any("carer-concern-review done on 2027-04-06" in (h["reason"] or "")
                  for h in show["history"]), str(show["history"]))
    pod.done("erin.sw", annual[0]["id"], "2027-04-06")
    panel = pod.tasks("AL-C1", "carer-first-review-panel")
    pod.check("the first annual review goes to panel (3 months, local choice)",
              [t["due"] for t in panel] == [due("2027-04-06", 3, "months")], str(panel))
    nxt = [t for t in pod.tasks("AL-C1", "carer-annual-review") if t["state"] != "done"]
    pod.done("erin.sw", nxt[0]["id"], "2027-04-06")
    pod.check("the second annual review does not go to panel again",
              len(pod.tasks("AL-C1", "carer-first-review-panel")) == 1)


def phase_beyond(pod):
    """Monday 20 December 2027: due dates beyond the bank-holiday file."""
    pod.clock("2027-12-20T10:00:00Z")
    r = pod.event("AL-K1", "referral-received", "2027-12-20")
    task = [t for t in r["created"] if t["standard"] == "child-assessment"][0]
    pod.check("45 working days from 20 December 2027 run into 2028, beyond the file: due %s "
              "on weekdays and the listed holidays only" % due("2027-12-20", 45, "working-days"),
              task["due"] == due("2027-12-20", 45, "working-days") and task.get("holidays_unknown"),
              str(task))
    show = pod.run("alice.tm", "task", "show", str(task["id"]))
    pod.check("task show marks it: bank holidays unknown",
              show.get("holidays_unknown") is True
              and any(h["event"] == "bank holidays unknown" for h in show["history"]), str(show))
    short = [t for t in r["created"] if t["standard"] == "child-referral-decision"][0]
    pod.check("a due date inside the file is not marked", not short.get("holidays_unknown"),
              str(short))


PHASES = {"open": phase_open, "birthdays": phase_birthdays,
          "looked-after-later": phase_looked_after_later, "allegations": phase_allegations,
          "reviews": phase_reviews, "beyond": phase_beyond}


def main(argv):
    if argv[1:2] == ["due"]:
        print(due(argv[2], argv[3], argv[4]))
        return 0
    if argv[1:2] == ["midnight"]:
        print(midnight_epoch(parse_date(argv[2])))
        return 0
    if argv[1:2] == ["phase"]:
        pod = Pod()
        try:
            PHASES[argv[2]](pod)
        except Exception as e:      # a podctl failure is a test failure, said plainly
            pod.check("phase %s ran to its end" % argv[2], False, repr(e))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
