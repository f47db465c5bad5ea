/*  handover.h - the handover pack, kept notices, and alerts about cover.

    Owns: the handover pack of an absence (for each open case the absent
    member leads: open tasks and due dates, the next statutory visit and
    meetings, linked partners, recent concerns and allegations from the
    chronology, the last contact and by whom, who covers it, and the
    member's handover note), built when the leave is approved and again two
    working days before it starts, and delivered to each covering colleague
    (the pages of the cases they cover only) as a kept notice in their
    client, with an e-mail that is a bare notice (no case detail). Also:
    kept notices (stored, listed by NOTICES, pushed to watching clients),
    the notices about leave (requested, approved, refused) and cover
    (assigned), and the alert to the team manager about covered work not
    accepted or overdue.
*/
#ifndef PODD_HANDOVER_H_INCLUDED
#define PODD_HANDOVER_H_INCLUDED

#include "request.h"

int podd_op_handover (podd_request_t *req);
int podd_op_handover_note (podd_request_t *req);
int podd_op_notices (podd_request_t *req);

//  Keep a notice for a member (NOTICES lists it) and push it to their
//  watching clients. data is stolen (NULL = {}). Returns 0 or -1.
int podd_notice_keep (podd_request_t *req, int64_t member_id, const char *kind, const char *text,
                      json_t *data);
//  Tell the manager a leave was requested ("leave-requested"), or the
//  member that it was approved or refused. Returns 0 or -1.
int podd_handover_leave_notice (podd_request_t *req, int64_t absence_id, const char *kind);
//  Tell the covers of an absence (or only cover_id) which cases they
//  cover, with the handover pages. Returns 0 or -1.
int podd_handover_cover_assigned (podd_request_t *req, int64_t absence_id, int64_t cover_id);
//  Tell the team manager about work moved to covers in an absence that is
//  not accepted or is overdue (nothing when there is none); at_return says
//  the member is back now. Returns 0 or -1.
int podd_handover_cover_alert (podd_request_t *req, int64_t absence_id, bool at_return);
//  A leave was approved: build and deliver the pack, and arm the second
//  build two working days before the leave starts. Returns 0 or -1.
int podd_handover_on_approve (podd_request_t *req, int64_t absence_id);
//  The second build fell due (the scheduler). Returns 0 or -1.
int podd_handover_pack_due (podd_request_t *req, int64_t absence_id);
//  A bare e-mail notice to a member: subject and text (which must carry
//  nothing of a case), "the details are in your podd client only", from
//  their pod's mailbox. Returns 0 or -1.
int podd_mail_notice (podd_request_t *req, const podd_member_t *member, const char *subject,
                      const char *text);

#endif
