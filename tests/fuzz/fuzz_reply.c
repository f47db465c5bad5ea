/*  fuzz_reply.c - libFuzzer target: the iMIP reply parser
    (daemon/calendar.c podd_calendar_parse_reply, GMime then libical),
    what daemon/meetops.c runs on every INGEST-MAIL message.

    Input: the raw RFC 5322 message. A refusal must give a reason; an
    accepted reply must hold what calendar.h promises (uid, attendee and
    From present and lower-cased where promised; a known PARTSTAT, unless
    the reply carries a fault for the caller to refuse it by).
*/
#include "calendar.h"

#include <stdint.h>
#include <string.h>

static bool
s_lower (const char *s)
{
    for (; s && *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            return false;
    return true;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    podd_calendar_reply_t *reply = NULL;
    const char *reason = NULL;
    if (podd_calendar_parse_reply (data, size, &reply, &reason)) {
        if (reply || !reason || !*reason)
            __builtin_trap ();
        return 0;
    }
    if (!reply || !reply->uid || !reply->attendee || !reply->from
    ||  !s_lower (reply->attendee) || !s_lower (reply->from) || !s_lower (reply->organiser)
    ||  strncmp (reply->attendee, "mailto:", 7) == 0
    ||  (int) reply->partstat < (int) PODD_PARTSTAT_NEEDS_ACTION
    ||  (int) reply->partstat > (int) PODD_PARTSTAT_TENTATIVE
    //  a reply without a fault answers ACCEPTED, DECLINED or TENTATIVE;
    //  one with a fault (a bad PARTSTAT, SEQUENCE...) says what is wrong
    ||  (reply->fault? !*reply->fault: reply->partstat == PODD_PARTSTAT_NEEDS_ACTION))
        __builtin_trap ();
    (void) podd_calendar_partstat_name (reply->partstat);
    podd_calendar_reply_destroy (&reply);
    return 0;
}
