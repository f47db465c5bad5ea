/*  offers.c - colleagues' cover offers and swaps. See offers.h. */
#include "offers.h"
#include "access.h"
#include "caseops.h"
#include "routing.h"
#include "handover.h"

#define COVER_KIND "leave-cover"

//  The absence in "absence" with its member, not ended, visible to the caller
static int
s_absence (podd_request_t *req, int64_t id, podd_absence_t *absence, podd_member_t *member)
{
    if (podd_store_absence_get (req->store, id, absence)
    ||  podd_store_member_by_id (req->store, absence->member_id, member))
        return podd_fail (req, PODP_NOT_FOUND, "no absence %lld", (long long) id);
    if (!podd_access_pod_read (req->actor, member->pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "absence %lld is in another pod", (long long) id);
    if (absence->ended || (!podd_streq (absence->status, "approved")
                           && !podd_streq (absence->status, "requested")))
        return podd_fail (req, PODP_CONFLICT, "absence %lld is %s", (long long) id,
                          absence->ended? "over": absence->status);
    return 0;
}

//  Whether member may take a line of an absence (kind NULL: a case line)
static int
s_can_take (podd_request_t *req, const podd_member_t *who, const podd_absence_t *absence,
            const podd_member_t *away, const char *kind)
{
    if (who->pod_id != away->pod_id)
        return podd_fail (req, PODP_INVALID, "%s is not in the pod", who->handle);
    if (who->id == away->id)
        return podd_fail (req, PODP_INVALID, "%s cannot cover their own absence", who->handle);
    if (!podd_route_role_allowed (req->config, kind? kind: COVER_KIND, who))
        return podd_fail (req, PODP_INVALID, "a %s may not cover this work", who->role);
    if (podd_store_member_away_between (req->store, who->id, absence->starts, absence->ends))
        return podd_fail (req, PODP_INVALID, "%s is away in that period", who->handle);
    return 0;
}

static int
s_tell_manager (podd_request_t *req, int64_t pod_id, const char *kind, const char *text, int64_t absence_id)
{
    int64_t manager = podd_store_pod_manager (req->store, pod_id);
    if (!manager || manager == req->actor->id)
        return 0;
    return podd_notice_keep (req, manager, kind, text,
                             json_pack ("{s:I s:o}", "absence", (json_int_t) absence_id,
                                        "requests", podd_store_cover_requests_json (req->store, absence_id)));
}

int
podd_op_cover_offer (podd_request_t *req)
{
    podd_absence_t absence;
    podd_member_t away;
    podd_case_t kase;
    const char *ref = podp_msg_string (req->msg, "case");
    if (s_absence (req, podp_msg_int (req->msg, "absence", 0), &absence, &away))
        return -1;
    if (!podd_valid_ref (ref) || podd_store_case_by_ref (req->store, ref, &kase))
        return podd_fail (req, PODP_NOT_FOUND, "no case '%s'", ref);
    if (kase.lead_id != away.id || !kase.open)
        return podd_fail (req, PODP_NOT_FOUND, "%s does not lead an open case '%s'", away.handle, ref);
    if (s_can_take (req, req->actor, &absence, &away, NULL))
        return -1;
    int64_t id = podd_store_cover_request_add (req->store, absence.id, "offer", kase.id, 0, 0,
                                               req->actor->id, podp_msg_string (req->msg, "note"), req->now);
    if (id < 0 || podd_audit_id (req, "cover-offer", "absence", absence.id, kase.ref))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot keep the offer");
    char text [256];
    snprintf (text, sizeof text, "%s offers to cover %s while %s is away (request %lld): "
              "podctl cover approve %lld", req->actor->handle, kase.ref, away.handle, (long long) id,
              (long long) id);
    if (s_tell_manager (req, away.pod_id, "cover-offer", text, absence.id))
        return -1;
    return podd_ok (req, PODP_CREATED, json_pack ("{s:I s:o}", "request", (json_int_t) id,
                    "requests", podd_store_cover_requests_json (req->store, absence.id)));
}

int
podd_op_cover_swap (podd_request_t *req)
{
    int64_t a [5], b [5];
    int64_t line_a = podp_msg_int (req->msg, "line", 0), line_b = podp_msg_int (req->msg, "with", 0);
    if (podd_store_cover_line_get (req->store, line_a, a))
        return podd_fail (req, PODP_NOT_FOUND, "no cover line %lld", (long long) line_a);
    if (podd_store_cover_line_get (req->store, line_b, b))
        return podd_fail (req, PODP_NOT_FOUND, "no cover line %lld", (long long) line_b);
    if (line_a == line_b || a [4] == b [4])
        return podd_fail (req, PODP_CONFLICT, "lines %lld and %lld have the same cover",
                          (long long) line_a, (long long) line_b);
    if (a [4] != req->actor->id && b [4] != req->actor->id)
        return podd_fail (req, PODP_FORBIDDEN, "you cover neither line");
    podd_absence_t absence_a, absence_b;
    podd_member_t away_a, away_b, cover_a, cover_b;
    if (s_absence (req, a [1], &absence_a, &away_a) || s_absence (req, b [1], &absence_b, &away_b))
        return -1;
    podd_store_member_by_id (req->store, a [4], &cover_a);
    podd_store_member_by_id (req->store, b [4], &cover_b);
    //  Each must be able to take the other's line
    podd_task_t task_a = { 0 }, task_b = { 0 };
    if (a [3])
        podd_store_task_get (req->store, a [3], &task_a);
    if (b [3])
        podd_store_task_get (req->store, b [3], &task_b);
    if (s_can_take (req, &cover_b, &absence_a, &away_a, a [3]? task_a.kind: NULL)
    ||  s_can_take (req, &cover_a, &absence_b, &away_b, b [3]? task_b.kind: NULL))
        return -1;
    int64_t id = podd_store_cover_request_add (req->store, absence_a.id, "swap", 0, line_a, line_b,
                                               req->actor->id, podp_msg_string (req->msg, "note"), req->now);
    if (id < 0 || podd_audit_id (req, "cover-swap", "absence", absence_a.id, ""))
        return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot keep the swap");
    char text [256];
    snprintf (text, sizeof text, "%s and %s ask to swap cover lines %lld and %lld (request %lld): "
              "podctl cover approve %lld", cover_a.handle, cover_b.handle, (long long) line_a,
              (long long) line_b, (long long) id, (long long) id);
    int64_t other = a [4] == req->actor->id? b [4]: a [4];
    if (s_tell_manager (req, away_a.pod_id, "cover-swap", text, absence_a.id)
    ||  podd_notice_keep (req, other, "cover-swap", text, NULL))
        return -1;
    return podd_ok (req, PODP_CREATED, json_pack ("{s:I s:o}", "request", (json_int_t) id,
                    "requests", podd_store_cover_requests_json (req->store, absence_a.id)));
}

static int
s_decide (podd_request_t *req, bool approve)
{
    int64_t row [7];
    char status [16];
    int64_t id = podp_msg_int (req->msg, "request", 0);
    if (podd_store_cover_request_get (req->store, id, row, status, sizeof status))
        return podd_fail (req, PODP_NOT_FOUND, "no cover request %lld", (long long) id);
    podd_absence_t absence;
    podd_member_t away, asker;
    if (podd_store_absence_get (req->store, row [1], &absence)
    ||  podd_store_member_by_id (req->store, absence.member_id, &away)
    ||  podd_store_member_by_id (req->store, row [6], &asker))
        return podd_fail (req, PODP_NOT_FOUND, "no cover request %lld", (long long) id);
    if (!podd_access_pod_manage (req->actor, away.pod_id))
        return podd_fail (req, PODP_FORBIDDEN, "only the pod's team manager decides cover requests");
    if (!podd_streq (status, "open"))
        return podd_fail (req, PODP_CONFLICT, "cover request %lld is %s", (long long) id, status);
    if (approve && s_absence (req, absence.id, &absence, &away))
        return -1;
    bool swap = row [2] == 1;
    if (approve && !swap) {
        //  The offerer covers the case (the check again: things change)
        if (s_can_take (req, &asker, &absence, &away, NULL)
        ||  podd_store_cover_set (req->store, absence.id, row [3], 0, asker.id, req->actor->id, req->now)
        ||  podd_store_cover_set_how (req->store, absence.id, row [3], 0, "offer"))
            return req->status? -1: podd_fail (req, PODP_INTERNAL, "cannot set cover");
    }
    if (approve && swap) {
        int64_t a [5], b [5];
        if (podd_store_cover_line_get (req->store, row [4], a) || podd_store_cover_line_get (req->store, row [5], b))
            return podd_fail (req, PODP_CONFLICT, "a line of request %lld is gone", (long long) id);
        if (podd_store_cover_line_set_by (req->store, a [0], b [4], req->actor->id, "swap")
        ||  podd_store_cover_line_set_by (req->store, b [0], a [4], req->actor->id, "swap"))
            return podd_fail (req, PODP_INTERNAL, "cannot swap");
    }
    if (podd_store_cover_request_decide (req->store, id, approve? "approved": "refused", req->actor->id, req->now)
    ||  podd_audit_id (req, approve? "cover-approve": "cover-refuse", "absence", absence.id, ""))
        return req->status? -1: podd_fail (req, PODP_CONFLICT, "cover request %lld is decided", (long long) id);
    char text [256];
    snprintf (text, sizeof text, "your cover %s (request %lld) for %s's absence %lld was %s by %s",
              swap? "swap": "offer", (long long) id, away.handle, (long long) absence.id,
              approve? "approved": "refused", req->actor->handle);
    if (podd_notice_keep (req, asker.id, swap? "cover-swap": "cover-offer", text, NULL))
        return -1;
    if (approve && !swap && podd_handover_cover_assigned (req, absence.id, asker.id))
        return -1;
    json_t *reply = podd_store_absence_json (req->store, absence.id, true);
    json_object_set_new (reply, "requests", podd_store_cover_requests_json (req->store, absence.id));
    return podd_ok (req, PODP_OK, reply);
}

int podd_op_cover_approve (podd_request_t *req) { return s_decide (req, true); }
int podd_op_cover_refuse (podd_request_t *req) { return s_decide (req, false); }
