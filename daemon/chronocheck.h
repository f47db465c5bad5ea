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

//  The manager proceeds with the check's gaps on the record: one chronology
//  entry "Chronology check by H<context>: N gap(s) recorded; detail; ...",
//  and "recorded": true in check. context is "" or e.g. " before transfer 3".
int podd_chronocheck_record (podd_request_t *req, const podd_case_t *kase, json_t *check,
                             const char *context);

//  The lead completes the chronology first: an urgent task due at due,
//  offered to the case's lead ("Complete the chronology before the
//  <before>: ..."), its id as "task" in check. 409 with no lead. 0 or -1.
int podd_chronocheck_ask (podd_request_t *req, const podd_case_t *kase, json_t *check, int64_t due,
                          const char *before, const char *context);

#endif
