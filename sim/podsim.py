#!/usr/bin/python3
"""podsim.py - a simulated year of a council's pods, driven through a real podd.

Runs the same year twice on podd's test clock: once as pods (a lead and a
co-worker per case, podd's cover plans) and once as individual caseloads
(one worker per case, the team manager covers, a leaver's cases go to
whoever has the lowest caseload). Everything happens through PODP/1 on a
real podd (tests/podp_client.py, one gateway key acting "as" each member);
the figures are computed afterwards from what podd recorded (task
histories, the audit trail of allocations, absences and their cover
lines, the compliance report), never from the simulator's own bookkeeping.

    podsim.py [--seed N] [--weeks N] [--warmup-weeks N] [--pods N] [--pod-size N]
              [--config sim/sim.json] [--build build] [--svg FILE] [--json FILE]

Rates come from sim/sim.json (each with its public source, or marked as
an assumption). Run with /usr/bin/python3 (Debian's python3-zmq).
"""
import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
from podp_client import PodpClient  # noqa: E402

D = dt.date
DAY = dt.timedelta(days=1)
CONTACT_KINDS = {"statutory-visit", "review", "pod-meeting", "stability-meeting", "handover-visit"}
CIC_VISITS = {"cic-visit", "cic-visit-first", "cic-visit-long-term"}
MODELS = ("pods", "individual")


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------
# Calendar

def bank_holidays(path):
    return {D.fromisoformat(m) for m in
            re.findall(r'^holiday = "(\d{4}-\d\d-\d\d)"', open(path).read(), re.M)}


class Calendar:
    def __init__(self, start, days, holidays):
        self.start = start
        self.days = [start + DAY * i for i in range(days)]
        self.holidays = holidays
        self.work = [d for d in self.days if self.working(d)]
        self.index = {d: i for i, d in enumerate(self.work)}

    def working(self, day):
        return day.weekday() < 5 and day not in self.holidays

    def add_working(self, day, n):
        left = n
        while left > 0:
            day += DAY
            if self.working(day):
                left -= 1
        return day


# ----------------------------------------------------------------------
# The year, drawn once from the seed: the same in both models

class Person:
    def __init__(self, handle, pod, role, start, agency=False):
        self.handle, self.pod, self.role, self.agency = handle, pod, role, agency
        self.start = start          # first day in service
        self.end = None             # first day gone (left the service)
        self.absences = []          # (kind, first day, last day)

    def away(self, day):
        if day < self.start or (self.end and day >= self.end):
            return True
        return any(a <= day <= b for _, a, b in self.absences)


class Year:
    """People, absences, leavers, joiners and cases, drawn from the seed."""

    def __init__(self, cfg, cal, seed, pods, pod_size):
        rng = random.Random(seed)
        self.cal, self.cfg = cal, cfg
        self.pods = ["pod-%s" % chr(ord("a") + i) for i in range(pods)]
        self.people = []
        self.counter = {}
        end = cal.days[-1] + DAY
        for pod in self.pods:
            self.people.append(Person(self.handle(pod, "tm"), pod, "team-manager", cal.start))
            for i in range(pod_size - 1):
                role = "senior-practitioner" if i == 0 else "social-worker"
                self.post(rng, pod, role, cal.start, end, rng.random() < cfg["agency_rate"])
        for p in self.people:
            self.absences_for(rng, p)
        self.cases = []
        self.draw_cases(rng)

    def handle(self, pod, kind):
        n = self.counter[(pod, kind)] = self.counter.get((pod, kind), 0) + 1
        return "%s.%s%d" % (pod[-1], kind, n)

    def post(self, rng, pod, role, start, end, agency):
        """A case-holding post: its occupants one after another."""
        cfg = self.cfg
        while start < end:
            p = Person(self.handle(pod, "sp" if role == "senior-practitioner" else "sw"),
                       pod, role, start, agency)
            self.people.append(p)
            rate = cfg["agency_turnover_per_year"] if agency else cfg["turnover_per_year"]
            stay = rng.expovariate(rate / 365.0)
            leave = start + DAY * max(10, int(stay))
            # leavers go on a working day, after a working day in post
            while not self.cal.working(leave):
                leave += DAY
            if leave >= end - DAY * 7:
                return
            p.end = leave
            start = leave + DAY * max(1, int(rng.expovariate(1.0 / cfg["vacancy_gap_days"])))
            while not self.cal.working(start):
                start += DAY
            agency = rng.random() < cfg["agency_rate"]

    def absences_for(self, rng, p):
        cal, cfg = self.cal, self.cfg
        first = max(p.start, cal.work[1])
        last = (p.end - DAY) if p.end else cal.days[-1]
        wd = [d for d in cal.work if first <= d <= last]
        if len(wd) < 3:
            return
        used = set()
        years = len(wd) / 253.0

        def put(kind, i, n):
            if i < 1 or i + n > len(wd) - 1:
                return False
            if any(j in used for j in range(i - 1, i + n + 1)):
                return False
            used.update(range(i, i + n))
            p.absences.append((kind, wd[i], wd[i + n - 1]))
            return True

        def count(x):
            # a whole number with x as its mean (short runs get some leave too)
            return int(x) + (1 if rng.random() < x - int(x) else 0)

        for _ in range(count(cfg["annual_leave_days"] / 5.0 * years)):
            for _try in range(20):
                if put("annual", rng.randrange(len(wd)), 5):
                    break
        for _ in range(count(cfg["training_days"] * years)):
            for _try in range(20):
                if put("training", rng.randrange(len(wd)), 1):
                    break
        if p.role != "team-manager":
            mean, long_share = cfg["sickness_spell_mean_days"], cfg["sickness_long_share"]
            short_mean = max(1.0, (mean - long_share * 20) / (1 - long_share))
            for i in range(len(wd)):
                if rng.random() < cfg["sickness_rate"] / mean:
                    n = 20 if rng.random() < long_share else max(1, int(round(rng.expovariate(1 / short_mean))))
                    put("sickness", i, n)
        p.absences.sort(key=lambda a: a[1])

    def draw_cases(self, rng):
        cal, cfg = self.cal, self.cfg
        holders = sum(1 for p in self.people if p.role != "team-manager" and p.start == cal.start)
        total = int(round(holders * cfg["caseload_per_fte"]))
        mix, mean = cfg["case_mix"], cfg["case_mean_days"]
        kinds = sorted(mix)
        # the stock: opened over the first two weeks
        for _ in range(total):
            kind = rng.choices(kinds, [mix[k] for k in kinds])[0]
            self.case(rng, kind, cal.work[rng.randrange(min(10, len(cal.work)))])
        # new referrals replace closures: kind k at rate total * mix_k / mean_k a day
        rate = {k: total * mix[k] / mean[k] * 7.0 / 5.0 for k in kinds}
        first = cal.work[min(10, len(cal.work) - 1)]
        for day in cal.work:
            if day <= first:
                continue
            for k in kinds:
                for _ in range(self.poisson(rng, rate[k])):
                    self.case(rng, k, day)
        self.cases.sort(key=lambda c: (c["open"], c["ref"]))

    @staticmethod
    def poisson(rng, lam):
        n, t = 0, rng.expovariate(1.0)
        while t < lam:
            n += 1
            t += rng.expovariate(1.0)
        return n

    def case(self, rng, kind, day):
        cfg, cal = self.cfg, self.cal
        close = day + DAY * max(5, int(rng.expovariate(1.0 / cfg["case_mean_days"][kind])))
        while not cal.working(close):
            close += DAY
        c = {"ref": "SIM-%05d" % (len(self.cases) + 1), "kind": kind, "pod": rng.choice(self.pods),
             "open": day, "close": close if close <= cal.days[-1] else None, "moves": []}
        if kind == "cic":
            c["dob"] = (day - DAY * rng.randrange(365, 17 * 365)).isoformat()
            t = day
            while True:
                t += DAY * max(14, int(rng.expovariate(cfg["placement_moves_per_year"] / 365.0)))
                if t > cal.days[-1] or (c["close"] and t >= c["close"]):
                    break
                if cal.working(t):
                    c["moves"].append(t)
        self.cases.append(c)


# ----------------------------------------------------------------------
# podd on the test clock

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Podd:
    """A real podd in a scratch directory, on the test clock."""

    def __init__(self, build, year, workdir):
        self.dir = workdir
        self.build = build
        self.clock_file = os.path.join(workdir, "clock")
        self.set_clock(dt.datetime.combine(year.cal.start, dt.time(7)))
        for d in ("keys", "certs", "spool"):
            os.makedirs(os.path.join(workdir, d), mode=0o700, exist_ok=True)
        subprocess.run([os.path.join(build, "podctl"), "keygen", "simgw", "--dir",
                        os.path.join(workdir, "keys")], check=True, capture_output=True)
        shutil.copy(os.path.join(workdir, "keys", "simgw.cert"), os.path.join(workdir, "certs"))
        for f in ("standards.conf", "bank-holidays.conf"):
            shutil.copy(os.path.join(ROOT, "config", f), workdir)
        self.endpoint = "tcp://127.0.0.1:%d" % free_port()
        self.conf = os.path.join(workdir, "podd.conf")
        with open(self.conf, "w") as f:
            f.write(self.config_text(year))
        self.logf = open(os.path.join(workdir, "podd.log"), "a")
        env = dict(os.environ, PODD_CLOCK_FILE=self.clock_file)
        self.proc = subprocess.Popen([os.path.join(build, "podd"), "-f", "-c", self.conf],
                                     stdout=self.logf, stderr=subprocess.STDOUT, env=env)
        for _ in range(200):
            text = open(os.path.join(workdir, "podd.log")).read()
            if "serving on" in text and os.path.exists(os.path.join(workdir, "keys", "podd.cert")):
                break
            if self.proc.poll() is not None:
                raise SystemExit("podd did not start:\n" + text[-2000:])
            time.sleep(0.05)
        else:
            self.proc.kill()
            self.proc.wait()
            raise SystemExit("podd did not start in 10 s")
        self.client = PodpClient(self.endpoint, os.path.join(workdir, "keys", "simgw.cert"),
                                 os.path.join(workdir, "keys", "podd.cert"), timeout=30)
        self.calls = 0

    def config_text(self, year):
        shipped = open(os.path.join(ROOT, "config", "podd.conf")).read()
        head = shipped.split("\npods\n", 1)[0]
        d = self.dir
        head = re.sub(r'(?m)^(    endpoint = )"[^"]*"', r'\1"%s"' % self.endpoint, head)
        head = re.sub(r'(?m)^(    database = )"[^"]*"', r'\1"%s/podd.db"' % d, head)
        head = re.sub(r'(?m)^(    certs = )"[^"]*"', r'\1"%s/certs"' % d, head)
        head = re.sub(r'(?m)^(    server-cert = )"[^"]*"', r'\1"%s/keys/podd.cert"' % d, head)
        head = re.sub(r'(?m)^(    spool = )"[^"]*"', r'\1"%s/spool"' % d, head)
        head = re.sub(r'(?m)^(    max-body = )\d+', r'\g<1>1048576', head)
        # no reminder mail: the simulation is about who does the work
        head = re.sub(r'(?m)^(        remind = )"[^"]*"', r'\1""', head)
        head = re.sub(r'(?m)^(    overdue-daily = )\d+', r'\g<1>0', head)
        out = [head.rstrip("\n"), "", "pods"]
        for pod in year.pods:
            letter = pod[-1]
            out += ['    pod = "%s"' % pod, '        title = "Pod %s"' % letter.upper(),
                    '        mailbox = "%s@%s.example"' % (pod, pod)]
            for p in year.people:
                if p.pod == pod and p.start == year.cal.start:
                    out += ['        member = "%s"' % p.handle,
                            '            name = "Sim %s"' % p.handle,
                            '            email = "%s@%s.example"' % (p.handle, pod),
                            '            role = "%s"' % p.role]
        out += ["", "admins", '    member = "sim.admin"', '        name = "Sim Admin"',
                '        email = "sim.admin@pod-a.example"', '        role = "coordinator"',
                "", "gateways", '    gateway = "simgw"', ""]
        return "\n".join(out)

    def set_clock(self, instant):
        tmp = self.clock_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(instant.strftime("%Y-%m-%dT%H:%M:%SZ") + "\n")
        os.replace(tmp, self.clock_file)

    def call(self, who, command, body=None, ok=(200, 201)):
        body = dict(body or {})
        body["as"] = who
        self.calls += 1
        status, reason, data = self.client.request(command, body)
        if ok and status not in ok:
            raise RuntimeError("%s as %s %s: %s %s" % (command, who, json.dumps(body)[:300], status, reason))
        return status, reason, data

    def data(self, who, command, body=None):
        return self.call(who, command, body)[2]

    def items(self, who, command, body):
        """Every item of a paged list (PROTOCOL.md 7.3), following "next" """
        body = dict(body, limit=1000)
        items = []
        while True:
            page = self.data(who, command, body)
            items += page["items"]
            if not page.get("next"):
                return items
            body["after"] = page["next"]

    def stop(self):
        self.client.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.logf.close()
        return self.proc.returncode


# ----------------------------------------------------------------------
# Driving one model through the year

class Run:
    def __init__(self, model, year, podd, seed):
        self.model, self.year, self.podd = model, year, podd
        self.cal, self.cfg = year.cal, year.cfg
        self.rng = random.Random("%s/%s" % (seed, model))
        self.people = {p.handle: p for p in year.people}
        self.tm = {p.pod: p.handle for p in year.people if p.role == "team-manager"}
        self.cases = {}             # ref -> {"pod", "kind", "lead", "coworkers", "open"}
        self.pending = {}           # absence id -> (person, first day, last day or None)
        self.started = set()        # pending absences podd has started
        self.realloc = {}           # day -> [handles]
        self.last_contact = {}      # (ref, handle) -> day
        self.notes = {"cover_refused": 0, "handoffs": 0, "done": 0, "leavers": 0, "joiners": 0}

    # -- who ----------------------------------------------------------
    def holders(self, pod, day):
        return [p for p in self.year.people if p.pod == pod and p.role != "team-manager"
                and p.start <= day and not (p.end and day >= p.end)]

    def led(self, handle):
        return sum(1 for c in self.cases.values() if c["open"] and c["lead"] == handle)

    def load(self, handle):
        return sum(1 for c in self.cases.values() if c["open"]
                   and (c["lead"] == handle or handle in c["coworkers"]))

    def lowest(self, pod, day, exclude=(), key=None):
        key = key or self.led
        people = [p for p in self.holders(pod, day) if p.handle not in exclude]
        here = [p for p in people if not p.away(day)] or people
        here.sort(key=lambda p: (key(p.handle), p.handle))
        return here[0].handle if here else None

    # -- the day ------------------------------------------------------
    def run(self):
        cal = self.cal
        started = time.monotonic()
        for i, day in enumerate(cal.work):
            self.podd.set_clock(dt.datetime.combine(day, dt.time(8)))
            self.wait_for_scheduler(day)
            self.leavers(day)
            self.joiners(day)
            for handle in self.realloc.pop(day, []):
                self.reallocate(handle, day)
            self.closures(day)
            self.moves(day)
            self.referrals(day)
            self.work(day)
            nxt = cal.work[i + 1] if i + 1 < len(cal.work) else day + DAY
            self.enter_absences(day, nxt)
            if i % 20 == 0:
                log("  %s %s: %d cases open, %d requests, %.0f s" % (
                    self.model, day, sum(1 for c in self.cases.values() if c["open"]),
                    self.podd.calls, time.monotonic() - started))
        self.podd.set_clock(dt.datetime.combine(cal.days[-1] + DAY, dt.time(8)))
        self.wait_for_scheduler(cal.days[-1] + DAY)

    def wait_for_scheduler(self, day):
        """podd starts and ends absences from its scheduler: wait until the
        ones due by now have been carried out."""
        for aid, (p, first, last) in list(self.pending.items()):
            want_end = last is not None and last < day
            if first > day or (aid in self.started and not want_end):
                continue
            for _ in range(200):
                a = self.podd.data(self.tm[p.pod], "LEAVE-SHOW", {"absence": aid})
                if a["started"] and (a["ended"] or not want_end):
                    break
                time.sleep(0.03)
            else:
                raise RuntimeError("absence %d of %s not carried out by %s" % (aid, p.handle, day))
            self.started.add(aid)
            if want_end or last is None:
                del self.pending[aid]

    def enter_absences(self, day, nxt):
        """Absences starting after today, up to the next working day, are
        entered today with their cover (sickness too: see README)."""
        for p in self.year.people:
            for kind, first, last in p.absences:
                if day < first <= nxt:
                    self.absence(p, kind, first, last, day)
            if p.end and day < p.end <= nxt:
                self.absence(p, "emergency", p.end, None, day)

    def absence(self, p, kind, first, last, day):
        tm = self.tm[p.pod]
        body = {"member": p.handle, "kind": kind, "from": first.isoformat()}
        if last is not None:
            body["to"] = last.isoformat()
        else:
            body["note"] = "left the service"
        who = "sim.admin" if p.handle == tm else tm
        a = self.podd.data(who, "LEAVE-REQUEST", body)
        if a["status"] == "requested":
            a = self.podd.data(who, "LEAVE-APPROVE", {"absence": a["id"]})
        self.pending[a["id"]] = (p, first, last)
        if p.handle == tm:
            return
        if self.model == "pods":
            self.podd.data(tm, "COVER-PLAN", {"member": p.handle, "absence": a["id"], "accept": True})
        else:
            for ref, c in sorted(self.cases.items()):
                if c["open"] and c["lead"] == p.handle:
                    st, _, _ = self.podd.call(tm, "COVER-SET", {"case": ref, "by": tm, "absence": a["id"]},
                                              ok=None)
                    if st != 200:
                        self.notes["cover_refused"] += 1

    # -- staff --------------------------------------------------------
    def leavers(self, day):
        for p in self.year.people:
            if p.end == day:
                self.notes["leavers"] += 1
                self.realloc.setdefault(self.cal.add_working(day, self.cfg["reallocation_working_days"]),
                                        []).append(p.handle)

    def joiners(self, day):
        for p in self.year.people:
            if p.start == day and day > self.cal.start:
                self.notes["joiners"] += 1
                self.podd.data(self.tm[p.pod], "MEMBER-ADD", {
                    "handle": p.handle, "name": "Sim %s" % p.handle, "email": "%s@%s.example" % (p.handle, p.pod),
                    "role": p.role, "pod": p.pod})

    def reallocate(self, gone, day):
        for ref, c in sorted(self.cases.items()):
            if not c["open"] or (c["lead"] != gone and gone not in c["coworkers"]):
                continue
            pod = c["pod"]
            if self.model == "individual":
                lead, cow = self.lowest(pod, day), []
            else:
                cows = [h for h in c["coworkers"] if h != gone and not self.gone(h, day)]
                # someone who knows the family and is at work: a co-worker,
                # else the most recent contact; else the lowest caseload
                known = [h for _, h in sorted(((d, h) for (r, h), d in self.last_contact.items() if r == ref),
                                              reverse=True)
                         if not self.gone(h, day) and self.people[h].role != "team-manager"]
                here = [h for h in cows + known if not self.people[h].away(day)]
                if c["lead"] != gone:
                    lead = c["lead"]
                else:
                    lead = here[0] if here else self.lowest(pod, day)
                cow = [h for h in cows if h != lead]
                if not cow:
                    other = self.lowest(pod, day, exclude=(lead,), key=self.load)
                    cow = [other] if other else []
            self.allocate(ref, lead, cow)

    def gone(self, handle, day):
        p = self.people[handle]
        return p.end is not None and day >= p.end

    def allocate(self, ref, lead, cow):
        c = self.cases[ref]
        self.podd.data(self.tm[c["pod"]], "CASE-ALLOCATE", {"ref": ref, "lead": lead, "coworkers": cow})
        c["lead"], c["coworkers"] = lead, cow

    # -- cases --------------------------------------------------------
    def referrals(self, day):
        for y in self.year.cases:
            if y["open"] != day:
                continue
            pod, ref = y["pod"], y["ref"]
            lead = self.lowest(pod, day)
            cow = []
            if self.model == "pods":
                other = self.lowest(pod, day, exclude=(lead,), key=self.load)
                cow = [other] if other else []
            tm = self.tm[pod]
            self.podd.data(tm, "CASE-OPEN", {"ref": ref, "kind": "child", "pod": pod, "lead": lead,
                                             "coworkers": cow, "summary": "Simulated %s case" % y["kind"]})
            self.cases[ref] = {"pod": pod, "kind": y["kind"], "lead": lead, "coworkers": cow, "open": True}
            date = day.isoformat()
            if y["kind"] == "cin":
                self.event(ref, "referral-received", date)
                self.cin_visit(ref, day + DAY * 10)
            elif y["kind"] == "cp":
                self.event(ref, "conference-held", date)
            else:
                self.event(ref, "child-placed", date)
                self.event(ref, "became-looked-after", date, dob=y["dob"])

    def event(self, ref, etype, date, **extra):
        body = {"ref": ref, "type": etype, "date": date}
        body.update(extra)
        self.podd.data(self.tm[self.cases[ref]["pod"]], "CASE-EVENT", body)

    def cin_visit(self, ref, due):
        while not self.cal.working(due):
            due += DAY
        self.podd.data(self.tm[self.cases[ref]["pod"]], "TASK-NEW", {
            "case": ref, "kind": "statutory-visit", "title": "Child in need visit", "due": due.isoformat()})

    def open_tasks(self, ref):
        items = self.podd.items(self.tm[self.cases[ref]["pod"]], "TASK-LIST", {"scope": "case", "case": ref})
        return [t for t in items if t["state"] in ("open", "offered", "accepted")]

    def closures(self, day):
        for y in self.year.cases:
            if y["close"] != day or y["ref"] not in self.cases:
                continue
            ref = y["ref"]
            tm = self.tm[y["pod"]]
            for t in self.open_tasks(ref):
                self.podd.data(tm, "TASK-CANCEL", {"task": t["id"], "reason": "case closing"})
            self.podd.data(tm, "CASE-CLOSE", {"ref": ref, "reason": "Simulated closure"})
            self.cases[ref]["open"] = False

    def moves(self, day):
        for y in self.year.cases:
            if day not in y["moves"] or not self.cases.get(y["ref"], {}).get("open"):
                continue
            ref, tm = y["ref"], self.tm[y["pod"]]
            for t in self.open_tasks(ref):
                if t["standard"] in CIC_VISITS:
                    self.podd.data(tm, "TASK-CANCEL", {"task": t["id"], "reason": "new placement: visit within a week"})
            self.event(ref, "placement-ended", day.isoformat())
            self.event(ref, "child-placed", day.isoformat())

    # -- work ---------------------------------------------------------
    def work(self, day):
        horizon = self.cal.add_working(day, self.cfg["lookahead_working_days"]).isoformat()
        share = self.cfg["coworker_visit_share"] if self.model == "pods" else 0.0
        for p in self.year.people:
            if p.away(day):
                continue
            cap = self.cfg["manager_tasks_per_day" if p.role == "team-manager" else "practitioner_tasks_per_day"]
            items = self.podd.items(p.handle, "TASK-LIST", {"scope": "mine"})
            items = sorted((t for t in items if t["due"] and t["due"][:10] <= horizon
                            and t["state"] in ("offered", "accepted")), key=lambda t: (t["due"], t["id"]))
            for t in items[:cap]:
                c = self.cases.get(t["case"])
                doer = p.handle
                if c and share and c["lead"] == doer and t["kind"] == "statutory-visit" and self.rng.random() < share:
                    here = [h for h in c["coworkers"] if not self.people[h].away(day)]
                    if here:
                        st, _, _ = self.podd.call(doer, "TASK-HANDOFF", {
                            "task": t["id"], "to": here[0], "reason": "co-worker's visit"}, ok=None)
                        if st == 200:
                            doer = here[0]
                            self.notes["handoffs"] += 1
                self.podd.data(doer, "TASK-DONE", {"task": t["id"], "evidence": "Done (simulation)",
                                                   "reference": "SIM-%d" % t["id"], "date": day.isoformat()})
                self.notes["done"] += 1
                self.last_contact[(t["case"], doer)] = day
                if t["title"] == "Child in need visit" and c and c["open"]:
                    self.cin_visit(t["case"], day + DAY * self.cfg["cin_visit_days"])


# ----------------------------------------------------------------------
# The figures, from what podd recorded

def utc(text):
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(-(-p * len(v) // 100)) - 1))
    return v[k]


def median(values):
    if not values:
        return None
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2.0


def collect(podd, year, w0, w1):
    """Read back what podd recorded and compute the figures for [w0, w1)."""
    admin = "sim.admin"
    t0 = utc(w0.isoformat() + "T00:00:00Z")
    t1 = utc(w1.isoformat() + "T00:00:00Z")
    # leads and co-workers over time: the audit trail of CASE-OPEN and CASE-ALLOCATE
    alloc = {}
    before = None
    while True:
        body = {"limit": 1000}
        if before:
            body["before"] = before
        page = podd.data(admin, "AUDIT-LIST", body)
        for row in page["items"]:
            if row["action"] in ("case-open", "case-allocate") and row["actor"]:
                try:
                    detail = json.loads(row["detail"])
                except ValueError:
                    continue
                alloc.setdefault(row["object"], []).append(
                    (utc(row["at"]), row["id"], detail.get("lead"), detail.get("coworkers")))
        before = page.get("next")
        if not before:
            break
    for rows in alloc.values():
        rows.sort()

    def holders_at(ref, t):
        lead, cow = None, []
        for at, _, l, c in alloc.get(ref, []):
            if at > t:
                break
            lead = l
            if c is not None:
                cow = c
        return lead, cow

    # absences and their cover lines
    away = {}
    absences = []
    managers = {p.handle: p.role == "team-manager" for p in year.people}
    cover_lines = cover_by_manager = 0
    for pod in year.pods:
        for a in podd.data(admin, "LEAVE-LIST", {"pod": pod, "status": "approved"})["items"]:
            f = utc(a["from"])
            to = utc(a["to"]) if a["to"] else None
            away.setdefault(a["member"], []).append((f, to))
            lines = [line for line in a.get("cover", []) if line.get("case") and line.get("cover")]
            covered = {line["case"] for line in lines}
            absences.append((a["member"], f, to, covered))
            for line in lines:
                cover_lines += 1
                if managers.get(line["cover"]):
                    cover_by_manager += 1

    def is_away(handle, t):
        return any(f <= t and (to is None or t < to) for f, to in away.get(handle, []))

    # cases and tasks
    cases = {}
    for pod in year.pods:
        for c in podd.items(admin, "CASE-LIST", {"pod": pod, "status": "all"}):
            cases[c["ref"]] = c
    contacts = {}            # ref -> [(time, doer, task id)] done in the window
    ever = {}                # ref -> [(time, doer)] every contact, warm-up included
    standard_done = []       # (ref, time, doer)
    unowned = 0
    due_in_window = 0
    for ref in sorted(cases):
        for t in podd.items(admin, "TASK-LIST", {"scope": "case", "case": ref}):
            due = utc(t["due"]) if t["due"] else None
            done_day = D.fromisoformat(t["done_on"]) if t["done_on"] else None
            counts_done = done_day is not None and w0 <= done_day < w1
            counts_due = due is not None and t0 <= due < t1 and t["state"] != "cancelled"
            contact = done_day is not None and t["kind"] in CONTACT_KINDS
            if not counts_done and not counts_due and not contact:
                continue
            hist = podd.data(admin, "TASK-SHOW", {"task": t["id"]})["history"]
            if done_day is not None:
                doer = next((h["actor"] for h in reversed(hist) if h["event"] == "done"), None)
                when = utc(next(h["at"] for h in reversed(hist) if h["event"] == "done"))
                if contact:
                    ever.setdefault(ref, []).append((when, doer))
            if counts_done:
                if t["kind"] in CONTACT_KINDS:
                    contacts.setdefault(ref, []).append((when, doer, t["id"]))
                elif t["standard"]:
                    standard_done.append((ref, when, doer))
            if counts_due:
                due_in_window += 1
                done_by_due = any(h["event"] == "done" and utc(h["at"]) <= due for h in hist)
                if not done_by_due:
                    holder = None
                    for h in hist:
                        if utc(h["at"]) <= due:
                            holder = h["assignee"]
                    if holder is None or is_away(holder, due):
                        unowned += 1
    # distinct workers and the known-worker rate
    distinct, distinct_year = {}, []
    known = total = 0
    for ref, rows in contacts.items():
        rows.sort()
        seen = set()
        for when, doer, _ in rows:
            lead, cow = holders_at(ref, when)
            total += 1
            if doer == lead or doer in (cow or []) or doer in seen:
                known += 1
            seen.add(doer)
        distinct[ref] = len(seen)
        c = cases[ref]
        if D.fromisoformat(c["opened"]) <= w0 and (not c["closed"] or D.fromisoformat(c["closed"]) >= w1):
            distinct_year.append(len(seen))
    for ref, when, doer in standard_done:
        lead, cow = holders_at(ref, when)
        earlier = any(d == doer and w < when for w, d, _ in contacts.get(ref, []))
        total += 1
        if doer == lead or doer in (cow or []) or earlier:
            known += 1
    # children open in the window, changes of lead among them
    in_window = [r for r, c in cases.items() if D.fromisoformat(c["opened"]) < w1
                 and (not c["closed"] or D.fromisoformat(c["closed"]) >= w0)]
    changes = {}
    new_lead_knew = 0
    first_contact_days = []
    no_contact_yet = 0
    for ref in in_window:
        n, prev, prev_cow = 0, None, []
        for at, _, lead, cow in alloc.get(ref, []):
            if prev is not None and lead != prev and t0 <= at < t1:
                n += 1
                seen = sorted(ever.get(ref, []))
                if lead in (prev_cow or []) or any(d == lead and w < at for w, d in seen):
                    new_lead_knew += 1
                first = next((w for w, d in seen if d == lead and w >= at), None)
                if first is None:
                    no_contact_yet += 1
                else:
                    first_contact_days.append((first - at).total_seconds() / 86400.0)
            prev = lead
            if cow is not None:
                prev_cow = cow
        changes[ref] = n
    # uncovered days: the lead away, no cover line for the case
    uncovered = 0
    uncovered_cases = {}
    for member, f, to, covered in absences:
        day = max(f, t0)
        end = min(to or t1, t1)
        while day < end:
            noon = day.replace(hour=12)
            for ref in in_window:
                c = cases[ref]
                if D.fromisoformat(c["opened"]) > noon.date() or (c["closed"] and D.fromisoformat(c["closed"]) <= noon.date()):
                    continue
                if holders_at(ref, noon)[0] == member and ref not in covered:
                    uncovered += 1
                    key = "%s %s from %s" % (ref, member, f.date())
                    uncovered_cases[key] = uncovered_cases.get(key, 0) + 1
            day = (day + DAY).replace(hour=0, minute=0, second=0)
    # overdue standards tasks: podd's compliance report
    late = overdue = standard_tasks = 0
    for pod in year.pods:
        rep = podd.data(admin, "REPORT-COMPLIANCE", {"pod": pod, "from": w0.isoformat(),
                                                     "to": (w1 - DAY).isoformat()})
        for row in rep["standards"]:
            late += row["late"]
            overdue += row["overdue"]
            standard_tasks += row["on_time"] + row["late"] + row["overdue"]
    values = list(distinct.values())
    return {
        "children": len(in_window),
        "children_with_contact": len(values),
        "distinct": values,
        "distinct_median": median(values), "distinct_p90": percentile(values, 90),
        "distinct_year_median": median(distinct_year), "distinct_year_p90": percentile(distinct_year, 90),
        "children_all_year": len(distinct_year),
        "contacts": sum(len(v) for v in contacts.values()),
        "known_rate": known / total if total else None, "known": known, "known_of": total,
        "uncovered_days": uncovered, "uncovered_cases": uncovered_cases,
        "cover_lines": cover_lines, "cover_by_manager": cover_by_manager,
        "tasks_unowned": unowned, "tasks_due": due_in_window,
        "standards_late": late, "standards_overdue": overdue, "standards_tasks": standard_tasks,
        "lead_changes": sum(changes.values()),
        "lead_changes_per_child": sum(changes.values()) / len(changes) if changes else None,
        "children_lead_changed": sum(1 for v in changes.values() if v),
        "new_lead_knew": new_lead_knew,
        "first_contact_days_median": median(first_contact_days),
        "first_contact_none": no_contact_yet,
    }


def continuity_probe(podd, year, w0, w1):
    """podctl continuity (issue 12, items 1-4) when this podd has it."""
    out = {}
    for pod in year.pods:
        tm = next(p.handle for p in year.people if p.pod == pod and p.role == "team-manager")
        st, reason, data = podd.call(tm, "CONTINUITY", {"pod": pod, "from": w0.isoformat(),
                                                       "to": (w1 - DAY).isoformat()}, ok=None)
        if st != 200:
            return {"available": False, "reply": "%s %s" % (st, reason)}
        out[pod] = data
    return {"available": True, "pods": out}


# ----------------------------------------------------------------------
# Output

def continuity_line(pod, data):
    """One pod's distribution from CONTINUITY (PROTOCOL.md 8.12)"""
    dist = data.get("distribution", {})

    def pair(name, pct=False):
        d = dist.get(name) or {}
        return "%s/%s" % (fmt(d.get("median"), pct), fmt(d.get("worst_tenth"), pct))
    return ("%s: %s cases; workers %s, known-worker rate %s, changes of lead %s, uncovered days %s, "
            "days to first contact %s" % (pod, dist.get("cases", "-"), pair("workers"),
                                         pair("known_rate", True), pair("lead_changes"),
                                         pair("uncovered_days"), pair("days_to_first_contact")))


def fmt(v, pct=False):
    if v is None:
        return "-"
    if pct:
        return "%.1f%%" % (100 * v)
    if isinstance(v, float):
        return ("%.2f" % v).rstrip("0").rstrip(".") if v != int(v) else "%d" % v
    return str(v)


def first(r):
    m = r["first_contact_days_median"]
    text = "median %.0f" % m if m is not None else "-"
    return text + (" (%d none yet)" % r["first_contact_none"] if r["first_contact_none"] else "")


def table(results, seed, args, w0, w1):
    p, i = results["pods"], results["individual"]
    rows = [
        ("children open in the year", p["children"], i["children"]),
        ("children with a contact", p["children_with_contact"], i["children_with_contact"]),
        ("distinct workers per child: median", fmt(p["distinct_median"]), fmt(i["distinct_median"])),
        ("distinct workers per child: 90th pct", fmt(p["distinct_p90"]), fmt(i["distinct_p90"])),
        ("  children open all year: median", fmt(p["distinct_year_median"]), fmt(i["distinct_year_median"])),
        ("  children open all year: 90th pct", fmt(p["distinct_year_p90"]), fmt(i["distinct_year_p90"])),
        ("known-worker rate", "%s (%d/%d)" % (fmt(p["known_rate"], True), p["known"], p["known_of"]),
         "%s (%d/%d)" % (fmt(i["known_rate"], True), i["known"], i["known_of"])),
        ("uncovered days (case-days)", p["uncovered_days"], i["uncovered_days"]),
        ("case cover lines held by the manager", "%d of %d" % (p["cover_by_manager"], p["cover_lines"]),
         "%d of %d" % (i["cover_by_manager"], i["cover_lines"])),
        ("tasks without an owner at due", "%d of %d" % (p["tasks_unowned"], p["tasks_due"]),
         "%d of %d" % (i["tasks_unowned"], i["tasks_due"])),
        ("standards tasks late or overdue", "%d+%d of %d" % (p["standards_late"], p["standards_overdue"], p["standards_tasks"]),
         "%d+%d of %d" % (i["standards_late"], i["standards_overdue"], i["standards_tasks"])),
        ("changes of lead per child", "%s (%d children)" % (fmt(round(p["lead_changes_per_child"] or 0, 3)), p["children_lead_changed"]),
         "%s (%d children)" % (fmt(round(i["lead_changes_per_child"] or 0, 3)), i["children_lead_changed"])),
        ("  new lead already knew the family", "%d of %d" % (p["new_lead_knew"], p["lead_changes"]),
         "%d of %d" % (i["new_lead_knew"], i["lead_changes"])),
        ("  days to new lead's first contact", first(p), first(i)),
    ]
    w = max(len(r[0]) for r in rows)
    c1 = max(len("pods"), max(len(str(r[1])) for r in rows))
    lines = ["podsim: seed %d, %d pods of %d, measured %s to %s (%d weeks after %d weeks' warm-up)" % (
        seed, args.pods, args.pod_size, w0, w1 - DAY, args.weeks, args.warmup_weeks),
        "%-*s  %-*s  %s" % (w, "", c1, "pods", "individual")]
    for name, a, b in rows:
        lines.append("%-*s  %-*s  %s" % (w, name, c1, a, b))
    return "\n".join(lines)


def svg(results, path, seed):
    """Grouped bars: the share of children by distinct workers, each model."""
    series = [("pods", results["pods"]["distinct"], "#2b6cb0"),
              ("individual caseloads", results["individual"]["distinct"], "#c05621")]
    top = max([max(v) if v else 0 for _, v, _ in series] + [1])
    xs = list(range(1, top + 1))
    shares = []
    for _, v, _ in series:
        n = len(v) or 1
        shares.append([sum(1 for x in v if x == k) / n for k in xs])
    ymax = max(max(s) for s in shares) or 1
    ymax = min(1.0, (int(ymax * 10) + 1) / 10.0)
    W, H, L, B, T, R = 680, 380, 60, 50, 60, 20
    pw, ph = W - L - R, H - T - B
    gw = pw / len(xs)
    bw = gw * 0.38
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="sans-serif" font-size="12" role="img" aria-labelledby="t">' % (W, H, W, H),
           '<title id="t">Distinct workers per child in a simulated year: pods and individual caseloads (seed %d)</title>' % seed,
           '<rect width="%d" height="%d" fill="#fff"/>' % (W, H),
           '<text x="%d" y="20" font-size="14" font-weight="bold">Distinct workers who saw each child in the year</text>' % L,
           '<text x="%d" y="38" fill="#444">podsim seed %d; contacts by a worker who knew the family: pods %s, individual %s</text>'
           % (L, seed, fmt(results["pods"]["known_rate"], True), fmt(results["individual"]["known_rate"], True))]
    for k in range(0, 11):
        y = k / 10.0
        if y > ymax + 1e-9:
            break
        py = T + ph - ph * y / ymax
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (L, W - R, py, py))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%d%%</text>' % (L - 6, py + 4, round(y * 100)))
    for j, (name, v, colour) in enumerate(series):
        for i, k in enumerate(xs):
            h = ph * shares[j][i] / ymax
            x = L + gw * i + gw * 0.12 + j * bw
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d workers, %.1f%% of %d children</title></rect>'
                       % (x, T + ph - h, bw, h, colour, name, k, 100 * shares[j][i], len(v)))
    for i, k in enumerate(xs):
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (L + gw * i + gw / 2, T + ph + 16, k))
    out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#333"/>' % (L, W - R, T + ph, T + ph))
    out.append('<text x="%d" y="%d" text-anchor="middle">distinct workers per child (contacts in the year)</text>' % (L + pw / 2, H - 12))
    out.append('<text transform="translate(14 %d) rotate(-90)" text-anchor="middle">share of children</text>' % (T + ph / 2))
    for j, (name, v, colour) in enumerate(series):
        x = W - R - 230
        y = T + 4 + j * 18
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>' % (x, y, colour))
        out.append('<text x="%d" y="%d">%s (median %s)</text>' % (x + 18, y + 10, name, fmt(median(v))))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


# ----------------------------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(description="a simulated year of pods vs individual caseloads, through a real podd")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--config", default=os.path.join(HERE, "sim.json"))
    ap.add_argument("--weeks", type=int, default=None)
    ap.add_argument("--warmup-weeks", type=int, default=None)
    ap.add_argument("--pods", type=int, default=None)
    ap.add_argument("--pod-size", type=int, default=None)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--svg", default=None)
    ap.add_argument("--json", default=None)
    ap.add_argument("--dir", default=None, help="where the scratch directories go (default /dev/shm, else TMPDIR)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directories")
    args = ap.parse_args(argv)
    raw = json.load(open(args.config))
    cfg = {k: v["value"] for k, v in raw.items() if isinstance(v, dict) and "value" in v}
    for name in ("weeks", "warmup_weeks", "pods", "pod_size"):
        if getattr(args, name) is None:
            setattr(args, name, cfg[name])
    if args.pod_size < 3 or args.pods < 1 or args.weeks < 1:
        ap.error("need at least 1 pod of 3 and 1 week")
    for exe in ("podd", "podctl"):
        if not os.access(os.path.join(args.build, exe), os.X_OK):
            ap.error("no %s in %s: build it first (make)" % (exe, args.build))
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10 ** 6)
    print("podsim: seed %d (repeat with --seed %d)" % (seed, seed), flush=True)
    start = D.fromisoformat(cfg["start"])
    days = 7 * (args.warmup_weeks + args.weeks)
    cal = Calendar(start, days, bank_holidays(os.path.join(ROOT, "config", "bank-holidays.conf")))
    w0 = start + DAY * 7 * args.warmup_weeks
    w1 = start + DAY * days
    year = Year(cfg, cal, seed, args.pods, args.pod_size)
    log("podsim: %d people over the run (%d leave), %d cases (%d at the start)" % (
        len(year.people), sum(1 for p in year.people if p.end), len(year.cases),
        sum(1 for c in year.cases if c["open"] <= cal.work[min(10, len(cal.work) - 1)])))
    base = args.dir or ("/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None)
    results, probes, timing = {}, {}, {}
    for model in MODELS:
        began = time.monotonic()
        work = tempfile.mkdtemp(prefix="podsim-%s." % model, dir=base)
        os.chmod(work, 0o700)
        podd = None
        try:
            podd = Podd(os.path.abspath(args.build), year, work)
            run = Run(model, year, podd, seed)
            run.run()
            results[model] = collect(podd, year, w0, w1)
            results[model]["notes"] = run.notes
            results[model]["requests"] = podd.calls
            probes[model] = continuity_probe(podd, year, w0, w1)
        finally:
            rc = podd.stop() if podd else None
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
            else:
                log("podsim: kept %s" % work)
        if rc not in (0, None):
            raise SystemExit("podd exited %s at the end of the %s run" % (rc, model))
        timing[model] = time.monotonic() - began
        log("podsim: %s done in %.0f s, %d requests, %s" % (model, timing[model], podd.calls, run.notes))
    print(table(results, seed, args, w0, w1))
    for model in MODELS:
        n = results[model]["notes"]
        print("%s: %d tasks done, %d co-worker visits, %d leavers, %d joiners, %d cover lines refused, "
              "%d requests, %.0f s" % (model, n["done"], n["handoffs"], n["leavers"], n["joiners"],
                                       n["cover_refused"], results[model]["requests"], timing[model]))
    for model in MODELS:
        pr = probes[model]
        if pr["available"]:
            print("podctl continuity (%s), podd's own measures per pod, median / worst tenth:" % model)
            for pod, data in sorted(pr["pods"].items()):
                print("  " + continuity_line(pod, data))
        else:
            print("podctl continuity (%s): not available in this podd (%s); figures above are podsim's own" % (
                model, pr["reply"]))
    if args.svg:
        svg(results, args.svg, seed)
        print("podsim: wrote %s" % args.svg)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"seed": seed, "results": results, "continuity": probes,
                       "seconds": timing}, f, indent=1, sort_keys=True, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
