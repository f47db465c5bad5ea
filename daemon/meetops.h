/*  meetops.h - partners, meetings and the replies partners send.

    Owns: partner agencies' contacts (who never log in) and their link to
    cases as the Team Around the Child; meetings on meeting-kind tasks
    (time, place, attendees, UID, SEQUENCE); sending the invite, update
    and cancellation through the outbox (calendar.c builds every byte);
    taking in a partner's reply (INGEST-MAIL) only when it is for one of
    our meetings, from an invited attendee (or an alias of theirs), not
    stale and not seen before, then recording it in the chronology and
    telling the lead worker; and the outcome note to partners.
*/
#ifndef PODD_MEETOPS_H_INCLUDED
#define PODD_MEETOPS_H_INCLUDED

#include "request.h"

int podd_op_partner_add (podd_request_t *req);
int podd_op_partner_update (podd_request_t *req);
int podd_op_partner_list (podd_request_t *req);
int podd_op_partner_link (podd_request_t *req);
int podd_op_partner_unlink (podd_request_t *req);
int podd_op_meeting_schedule (podd_request_t *req);
int podd_op_meeting_update (podd_request_t *req);
int podd_op_meeting_cancel (podd_request_t *req);
int podd_op_meeting_attendees (podd_request_t *req);
int podd_op_meeting_outcome (podd_request_t *req);
int podd_op_ingest_mail (podd_request_t *req);

//  Schedule the meeting of a stored meeting-kind task made by podd itself:
//  the members given (ids) and every partner linked to the task's case are
//  invited and the invitations queued. Returns 0, or -1 having failed the
//  request (422 when there would be too many attendees).
int podd_meeting_schedule_for (podd_request_t *req, int64_t task_id, int64_t starts, int64_t ends,
                               const char *location, const int64_t *member_ids, size_t member_count);

#endif
