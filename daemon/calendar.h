/*  calendar.h - every byte of iCalendar in podd, and the MIME of invites.

    Owns: building a meeting invitation (METHOD:REQUEST) or cancellation
    (METHOD:CANCEL) as a complete RFC 5322 message (CRLF line ends), and
    parsing an attendee's reply (METHOD:REPLY) out of a received message.
    Pure functions: no sockets, no SQL, no clock (the caller passes every
    time). libical builds and parses the VCALENDAR, GMime the MIME.

    An invite is multipart/alternative: text/plain first (a human summary
    with no sensitive detail), then text/calendar; charset=UTF-8;
    method=REQUEST|CANCEL, base64, inline. The VCALENDAR has one VEVENT
    whose times carry TZID=Europe/London and a compact two-rule VTIMEZONE
    (never libical's builtin zone, see shared IMIP-NOTES).

    Validation, before anything reaches libical or GMime: addresses are
    local@domain in plain ASCII (no spaces, quotes, angle brackets, control
    characters); names, summary, location, contact and cover lines are
    valid UTF-8 without control characters (so no CR/LF: a location with a
    newline is REFUSED, never folded) and names have no double quote or
    caret (an iCalendar parameter cannot carry a double quote portably).
    The organiser must not be an attendee; attendees are distinct; the
    meeting ends after it starts; a REQUEST carries a CONFIRMED meeting and
    a CANCEL a CANCELLED one. Every refusal returns -1 and sets *reason to
    a string the caller must not free: static, or (for reasons naming a
    field, e.g. "attendee 2 name has a line break") a thread-local buffer
    valid until the next call on the same thread.

    What an invite says: the Subject is "[Updated: |Cancelled: ]SUMMARY,
    Wed 15 Jul 2026 10:00, LOCATION" (local time); the text/plain part
    repeats what, when, where, the organiser, the contact and cover lines;
    the VEVENT also carries them as DESCRIPTION, with CLASS:PRIVATE. Mail
    systems log subjects: summary and location must never name a child or
    a family's address (use the meeting type and a venue).

    Parsing a reply returns the fields and refuses malformed replies; it
    does NOT decide whether the UID is ours, whether From matches the
    attendee, whether the SEQUENCE is stale or the Message-ID a duplicate:
    that is the caller's job (it has the database).

    Thread safety: every call uses its own libical and GMime objects; GMime
    is initialised once (g_once) on first use and never shut down.
*/
#ifndef PODD_CALENDAR_H_INCLUDED
#define PODD_CALENDAR_H_INCLUDED

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define PODD_CALENDAR_MAX_ATTENDEES 100

typedef enum {
    PODD_PARTSTAT_NEEDS_ACTION = 0,     //  the default (zero) value
    PODD_PARTSTAT_ACCEPTED,
    PODD_PARTSTAT_DECLINED,
    PODD_PARTSTAT_TENTATIVE
} podd_partstat_t;

typedef enum {
    PODD_MEETING_CONFIRMED = 0,
    PODD_MEETING_CANCELLED
} podd_meeting_status_t;

typedef enum {
    PODD_METHOD_REQUEST = 0,            //  invite or update
    PODD_METHOD_CANCEL
} podd_method_t;

typedef struct {
    const char *name;                   //  display name (CN), required
    const char *address;                //  local@domain, required
    podd_partstat_t partstat;           //  written as PARTSTAT; the caller
                                        //  resets it to NEEDS_ACTION when the
                                        //  time or place changes (RFC 5546)
} podd_attendee_t;

//  A meeting as the caller knows it. All strings are borrowed (UTF-8).
typedef struct {
    const char *uid;                    //  stable forever, printable ASCII, <= 255
    int sequence;                       //  0 first, +1 on each update and the cancel
    int64_t start;                      //  UTC epoch seconds
    int64_t end;                        //  UTC epoch seconds, > start
    const char *summary;                //  meeting type, e.g. "Placement stability meeting"
                                        //  (never a child's name: it goes in the Subject)
    const char *location;               //  e.g. "Room 2, County Hall"; also in the Subject;
                                        //  "" or NULL for an online meeting (then online)
    const char *organiser_name;         //  e.g. "North pod"
    const char *organiser_address;      //  the pod's mailbox
    const podd_attendee_t *attendees;   //  1..PODD_CALENDAR_MAX_ATTENDEES
    size_t attendee_count;
    podd_meeting_status_t status;       //  CONFIRMED for REQUEST, CANCELLED for CANCEL
    const char *contact;                //  pod's contact line for the text, or NULL
    const char *cover;                  //  "if the lead worker is away call ..." line, or NULL
    const char *online;                 //  joining link (podd_calendar_valid_url), or NULL:
                                        //  RFC 7986 CONFERENCE, in the text and the
                                        //  DESCRIPTION, and the LOCATION when there is no room
} podd_meeting_t;

//  A joining link podd puts in invitations: https://host[/...], printable
//  ASCII without spaces, quotes, angle brackets, backslashes or braces,
//  8..400 octets. Nothing else (no http:, javascript:, data:, mailto:).
#define PODD_CALENDAR_MAX_URL 400
bool
    podd_calendar_valid_url (const char *url);

//  Build the invite (REQUEST) or cancellation (CANCEL) of a meeting as a
//  complete RFC 5322 message with CRLF line ends. from is the From address
//  (NULL: the organiser's address); when it differs from the organiser's,
//  a Reply-To names the organiser. message_id is "local@domain" (angle
//  brackets optional), date is both the Date header and the DTSTAMP. On
//  success stores a malloc'd NUL-terminated buffer in *out (caller frees)
//  and its length (without the NUL) in *out_size and returns 0; on invalid
//  input returns -1 and sets *reason.
int
    podd_calendar_invite (const podd_meeting_t *meeting, podd_method_t method,
                          const char *from, const char *message_id, int64_t date,
                          char **out, size_t *out_size, const char **reason);

//  A parsed METHOD:REPLY. Strings are owned by the reply.
typedef struct {
    char *uid;
    int sequence;                       //  0 when the reply carries none
    int64_t dtstamp;                    //  UTC epoch seconds
    char *attendee;                     //  lower-cased, "mailto:" stripped
    podd_partstat_t partstat;           //  ACCEPTED, DECLINED or TENTATIVE
    char *organiser;                    //  lower-cased, or NULL (Outlook.com omits it)
    char *from;                         //  From header addr-spec, lower-cased
    char *message_id;                   //  without angle brackets, or NULL when absent
    const char *fault;                  //  NULL, or what is wrong besides the fields
                                        //  that say who answered what (static string)
} podd_calendar_reply_t;

//  Parse a received message (raw RFC 5322 bytes) carrying an iTIP reply:
//  the first text/calendar part at any multipart depth, inline or attached
//  (else an application/ics or *.ics part). message/rfc822 attachments are
//  not searched (a forwarded reply is someone else's). Returns 0 and a new
//  reply in *reply_p, or -1 and *reason.
//
//  Only the properties podd reads are held to the grammar: METHOD, and in
//  the VEVENT UID, ATTENDEE (with PARTSTAT), SEQUENCE, DTSTAMP and
//  ORGANIZER, each checked on its raw line (libical silently turns
//  SEQUENCE:abc into 0 and drops broken lines). Damage anywhere else, such
//  as the empty LOCATION: or DESCRIPTION: that Outlook.com and Gmail send
//  (libical 3.0 turns them into X-LIC-ERROR), is ignored.
//
//  A message that is not a reply, or does not say which meeting (UID) and
//  who (exactly one ATTENDEE, a From address), is refused (-1). Other
//  faults (PARTSTAT, SEQUENCE, DTSTAMP, ORGANIZER, Message-ID) come back
//  in reply->fault with the fields that could be read, so the caller can
//  refuse a spoofed or uninvited reply as such first.
int
    podd_calendar_parse_reply (const void *data, size_t size,
                               podd_calendar_reply_t **reply_p, const char **reason);

//  Destroy a reply; nulls the pointer.
void
    podd_calendar_reply_destroy (podd_calendar_reply_t **self_p);

//  "ACCEPTED", "DECLINED", "TENTATIVE", "NEEDS-ACTION"
const char *
    podd_calendar_partstat_name (podd_partstat_t partstat);

//  Self-test
void
    podd_calendar_test (bool verbose);

#endif
