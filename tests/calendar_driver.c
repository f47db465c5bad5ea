/*  calendar_driver.c - drives podd_calendar for tests/integration/60-invites.sh.

    calendar_driver invites DIR
        Writes one meeting's invite (DIR/request.eml, SEQUENCE 0, 10:00
        Europe/London on 15 July 2026), its update (DIR/update.eml,
        SEQUENCE 1, moved to 14:00 on 16 July) and its cancellation
        (DIR/cancel.eml, SEQUENCE 2) as the daemon would send them.
    calendar_driver reply FILE
        Parses a received reply and prints its fields, one "key=value" a
        line; on refusal prints "refused: REASON" and exits 2.
    Exit 1 on usage or I/O errors.
*/
#include "calendar.h"
#include "when.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The case behind the meeting. The child's name is what the daemon holds
//  in the case record; it must never reach an invite (the test greps for it).
#define CASE_REF    "CH-2026-0042"
#define CHILD_NAME  "Maisie Quartermaine"

static int
s_write (const char *dir, const char *name, const char *data, size_t size)
{
    char path [4096];
    snprintf (path, sizeof path, "%s/%s", dir, name);
    FILE *file = fopen (path, "wb");
    if (!file || fwrite (data, 1, size, file) != size) {
        perror (path);
        if (file)
            fclose (file);
        return -1;
    }
    if (fclose (file)) {
        perror (path);
        return -1;
    }
    printf ("%s\n", path);
    return 0;
}

static int
s_invite (const char *dir, const podd_meeting_t *meeting, podd_method_t method,
          const char *message_id, const char *date, const char *name)
{
    int64_t when;
    if (podd_when_parse (date, &when))
        return -1;
    char *out = NULL;
    size_t size = 0;
    const char *reason = NULL;
    if (podd_calendar_invite (meeting, method, NULL, message_id, when, &out, &size, &reason)) {
        fprintf (stderr, "calendar_driver: %s: %s\n", name, reason);
        return -1;
    }
    int rc = s_write (dir, name, out, size);
    free (out);
    return rc;
}

static int
s_invites (const char *dir)
{
    podd_attendee_t attendees [] = {
        { "Jo Reed", "jo.reed@school.example", PODD_PARTSTAT_NEEDS_ACTION },
        { "Siân Llŷr", "sian.llyr@health.example", PODD_PARTSTAT_NEEDS_ACTION },
        { "Shah, Priya (Virtual School)", "priya.shah@virtual-school.example", PODD_PARTSTAT_NEEDS_ACTION },
    };
    podd_meeting_t meeting = {
        .uid = "podd-meeting-17@pod-north.example",
        .sequence = 0,
        .summary = "Placement stability meeting",
        .location = "Room 2, County Hall",
        .organiser_name = "North pod",
        .organiser_address = "pod-north@pod-north.example",
        .attendees = attendees,
        .attendee_count = sizeof attendees / sizeof attendees [0],
        .status = PODD_MEETING_CONFIRMED,
        .contact = "North pod, 01632 960000, pod-north@pod-north.example",
        .cover = "If the lead worker is away, call the pod's duty worker on 01632 960001.",
    };
    //  The daemon's input forms: Europe/London local times
    if (podd_when_parse ("2026-07-15T10:00", &meeting.start)
    ||  podd_when_parse ("2026-07-15T11:30", &meeting.end))
        return -1;
    if (s_invite (dir, &meeting, PODD_METHOD_REQUEST, "podd-17-0@pod-north.example",
                  "2026-07-01T09:00:00Z", "request.eml"))
        return -1;
    meeting.sequence = 1;
    if (podd_when_parse ("2026-07-16T14:00", &meeting.start)
    ||  podd_when_parse ("2026-07-16T15:00", &meeting.end))
        return -1;
    if (s_invite (dir, &meeting, PODD_METHOD_REQUEST, "podd-17-1@pod-north.example",
                  "2026-07-02T09:00:00Z", "update.eml"))
        return -1;
    meeting.sequence = 2;
    meeting.status = PODD_MEETING_CANCELLED;
    return s_invite (dir, &meeting, PODD_METHOD_CANCEL, "podd-17-2@pod-north.example",
                     "2026-07-03T09:00:00Z", "cancel.eml");
}

static int
s_reply (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file) {
        perror (path);
        return 1;
    }
    size_t size = 0, max = 1 << 20;
    char *data = malloc (max);
    if (!data)
        return 1;
    size = fread (data, 1, max, file);
    fclose (file);
    podd_calendar_reply_t *reply = NULL;
    const char *reason = NULL;
    int rc = podd_calendar_parse_reply (data, size, &reply, &reason);
    free (data);
    if (rc == 0 && reply->fault) {
        printf ("refused: %s\n", reply->fault);
        podd_calendar_reply_destroy (&reply);
        return 2;
    }
    if (rc) {
        printf ("refused: %s\n", reason);
        return 2;
    }
    char stamp [PODD_WHEN_LEN];
    printf ("uid=%s\n", reply->uid);
    printf ("sequence=%d\n", reply->sequence);
    printf ("dtstamp=%s\n", podd_when_format (reply->dtstamp, stamp));
    printf ("attendee=%s\n", reply->attendee);
    printf ("partstat=%s\n", podd_calendar_partstat_name (reply->partstat));
    printf ("organiser=%s\n", reply->organiser ? reply->organiser : "");
    printf ("from=%s\n", reply->from);
    printf ("message_id=%s\n", reply->message_id ? reply->message_id : "");
    podd_calendar_reply_destroy (&reply);
    return 0;
}

int
main (int argc, char *argv [])
{
    if (argc == 3 && strcmp (argv [1], "invites") == 0)
        return s_invites (argv [2]) ? 1 : 0;
    if (argc == 3 && strcmp (argv [1], "reply") == 0)
        return s_reply (argv [2]);
    fprintf (stderr, "usage: calendar_driver invites DIR | reply FILE\n"
                     "  (the invites are for case %s; the child's name never appears)\n", CASE_REF);
    return 1;
}
