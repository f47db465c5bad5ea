/*  chronocheck.h - is a case's chronology complete before it changes hands?

    Owns: the chronology check (CASE-CHECK, and the check a cover plan for
    leave of more than two weeks runs on each case): for the period since
    the last change (default: since the case was opened), every task made
    by a practice standard and done has a chronology entry on the day it
    was done; no gap between contacts (notes and actions) is longer than
    the visiting frequency of the child's standards (the shortest
    recurring statutory-visit standard the case has had tasks from, six
    weeks when none); every concern and allegation has a later recorded action; and
    the last entry is no older than that frequency. It lists what is
    missing. The team manager may record the gaps and proceed (a
    chronology entry) or ask the lead to complete them first (a task due
    before the handover).
*/
#ifndef PODD_CHRONOCHECK_H_INCLUDED
#define PODD_CHRONOCHECK_H_INCLUDED

#include "request.h"

int podd_op_case_check (podd_request_t *req);

//  The check of one case over [since, now]: {"ref", "since", "until",
//  "frequency_days", "ok", "gaps": [{"check", "detail"}, ...]}.
json_t *podd_chronocheck (podd_request_t *req, const podd_case_t *kase, const char *since);

#endif
