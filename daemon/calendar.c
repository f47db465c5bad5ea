/*  calendar.c - iCalendar invites and replies (libical + GMime). See calendar.h.

    libical 3.0 ownership rules followed here: *_new returns an object we
    free, *_add hands it to the parent, *_r strings are ours to free().
    GMime objects are GObjects: every g_mime_*_new is matched by an unref.
*/
#include "calendar.h"
#include "message.h"
#include "config.h"
#include <libical/ical.h>
#include <gmime/gmime.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef streq
#define streq(a,b) (strcmp ((a), (b)) == 0)
#endif

#define PRODID          "-//podd//pod invites 0.1//EN"
#define LOCAL_TZID      "Europe/London"
#define MAX_ADDRESS     254
#define MAX_UID         255
#define MAX_NAME        128
#define MAX_SUMMARY     200
#define MAX_LOCATION    256
#define MAX_LINE        512
#define MAX_MESSAGE_ID  250
_Static_assert (PODD_MESSAGE_ID_MAX <= MAX_MESSAGE_ID, "podd's own Message-IDs are accepted");
#define MAX_CAL_PART    (256 * 1024)
#define MAX_DEPTH       16
//  Instants accepted: 1970-01-01 .. 9999-12-31
#define MAX_INSTANT     INT64_C (253402300799)

//  The compact Europe/London zone (IMIP-NOTES): two rules, no history.
//  Valid for every date since 1996; podd never books meetings before that.
static const char s_vtimezone [] =
    "BEGIN:VTIMEZONE\r\n"
    "TZID:" LOCAL_TZID "\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZOFFSETFROM:+0000\r\n"
    "TZOFFSETTO:+0100\r\n"
    "TZNAME:BST\r\n"
    "DTSTART:19810329T010000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0000\r\n"
    "TZNAME:GMT\r\n"
    "DTSTART:19961027T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n";

static const char *s_day_short [] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *s_day_long [] = { "Sunday", "Monday", "Tuesday", "Wednesday",
                                     "Thursday", "Friday", "Saturday" };
static const char *s_month_short [] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *s_month_long [] = { "January", "February", "March", "April", "May",
                                       "June", "July", "August", "September", "October",
                                       "November", "December" };

//  Reasons naming a field are formatted here; valid until the next call
//  on the same thread. Every other reason is a static string.
static _Thread_local char s_reason [160];

static const char *
s_field_reason (const char *field, const char *problem)
{
    snprintf (s_reason, sizeof s_reason, "%s %s", field, problem);
    return s_reason;
}

static void
s_gmime_init (void)
{
    static gsize initialised = 0;
    if (g_once_init_enter (&initialised)) {
        g_mime_init ();
        g_once_init_leave (&initialised, 1);
    }
}

//  --------------------------------------------------------------------------
//  Validation

//  A plain ASCII addr-spec: dot-atom local part, "@", a host name with at
//  least one dot. So no spaces, quotes, angle brackets, CR/LF or controls.
//  The rule is podd_valid_address (config.c), shared with every command
//  that takes an address, so what they accept an invitation can carry.
static bool
s_valid_address (const char *addr)
{
    return podd_valid_address (addr);
}

//  UTF-8 text of 1..max octets without line breaks or control characters.
//  Names also refuse '"' (an iCalendar parameter value cannot carry it
//  without RFC 6868, which python-icalendar does not read) and '^'.
//  Returns NULL when valid, else the problem.
static const char *
s_text_problem (const char *text, size_t max, bool name)
{
    if (!text || !*text)
        return "is missing";
    size_t len = strlen (text);
    if (len > max)
        return "is too long";
    if (!g_utf8_validate (text, (gssize) len, NULL))
        return "is not valid UTF-8";
    for (const char *p = text; *p; p = g_utf8_next_char (p)) {
        gunichar c = g_utf8_get_char (p);
        if (c == '\r' || c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029)
            return "has a line break";
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
            return "has a control character";
        if (name && (c == '"' || c == '^'))
            return "has a double quote or caret";
    }
    return NULL;
}

//  Printable ASCII, no spaces, 1..max octets
static bool
s_valid_token (const char *text, size_t max)
{
    if (!text || !*text || strlen (text) > max)
        return false;
    for (const char *p = text; *p; p++)
        if (*p < 0x21 || *p > 0x7E)
            return false;
    return true;
}

//  id-left@id-right, printable ASCII without specials
static bool
s_valid_message_id (const char *id)
{
    if (!s_valid_token (id, MAX_MESSAGE_ID))
        return false;
    const char *at = strchr (id, '@');
    if (!at || at == id || !at [1] || strchr (at + 1, '@'))
        return false;
    for (const char *p = id; *p; p++)
        if (strchr ("<>\"()[],;:\\", *p))
            return false;
    return true;
}

bool
podd_calendar_valid_url (const char *url)
{
    if (!url || g_ascii_strncasecmp (url, "https://", 8) != 0)
        return false;
    size_t len = strlen (url);
    if (len > PODD_CALENDAR_MAX_URL)
        return false;
    for (const char *p = url; *p; p++)
        if (*p < 0x21 || *p > 0x7E || strchr ("\"<>\\^`{|}", *p))
            return false;
    //  A host: at least one character that is not '/', '?' or '#'
    const char *host = url + 8;
    return *host && !strchr ("/?#@:", *host);
}

static const char *
s_check_meeting (const podd_meeting_t *m, podd_method_t method)
{
    const char *problem;
    if ((int) method != (int) PODD_METHOD_REQUEST && (int) method != (int) PODD_METHOD_CANCEL)
        return "method is not REQUEST or CANCEL";
    if (!s_valid_token (m->uid, MAX_UID))
        return "UID must be 1..255 printable ASCII characters";
    if (m->sequence < 0)
        return "SEQUENCE is negative";
    if (m->start < 0 || m->start > MAX_INSTANT || m->end < 0 || m->end > MAX_INSTANT)
        return "start or end is out of range";
    if (m->end <= m->start)
        return "meeting must end after it starts";
    if ((problem = s_text_problem (m->summary, MAX_SUMMARY, false)))
        return s_field_reason ("summary", problem);
    bool online = m->online && *m->online;
    if (online && !podd_calendar_valid_url (m->online))
        return "online link is not an https:// URL of at most 400 printable characters";
    if ((online == false || (m->location && *m->location))
    &&  (problem = s_text_problem (m->location, MAX_LOCATION, false)))
        return s_field_reason ("location", problem);
    if ((problem = s_text_problem (m->organiser_name, MAX_NAME, true)))
        return s_field_reason ("organiser name", problem);
    if (!s_valid_address (m->organiser_address))
        return "organiser address is not a valid local@domain address";
    if (m->contact && *m->contact && (problem = s_text_problem (m->contact, MAX_LINE, false)))
        return s_field_reason ("contact line", problem);
    if (m->cover && *m->cover && (problem = s_text_problem (m->cover, MAX_LINE, false)))
        return s_field_reason ("cover line", problem);
    if ((int) m->status != (int) PODD_MEETING_CONFIRMED
    &&  (int) m->status != (int) PODD_MEETING_CANCELLED)
        return "status is not CONFIRMED or CANCELLED";
    if (method == PODD_METHOD_REQUEST && m->status != PODD_MEETING_CONFIRMED)
        return "a REQUEST must carry a CONFIRMED meeting";
    if (method == PODD_METHOD_CANCEL && m->status != PODD_MEETING_CANCELLED)
        return "a CANCEL must carry a CANCELLED meeting";
    if (!m->attendees || m->attendee_count == 0)
        return "meeting has no attendees";
    if (m->attendee_count > PODD_CALENDAR_MAX_ATTENDEES)
        return "meeting has too many attendees";
    for (size_t i = 0; i < m->attendee_count; i++) {
        const podd_attendee_t *a = &m->attendees [i];
        char field [48];
        snprintf (field, sizeof field, "attendee %zu name", i + 1);
        if ((problem = s_text_problem (a->name, MAX_NAME, true)))
            return s_field_reason (field, problem);
        if (!s_valid_address (a->address)) {
            snprintf (field, sizeof field, "attendee %zu address", i + 1);
            return s_field_reason (field, "is not a valid local@domain address");
        }
        if ((int) a->partstat < (int) PODD_PARTSTAT_NEEDS_ACTION
        ||  (int) a->partstat > (int) PODD_PARTSTAT_TENTATIVE)
            return "attendee PARTSTAT is out of range";
        if (g_ascii_strcasecmp (a->address, m->organiser_address) == 0)
            return "the organiser must not be an attendee";
        for (size_t j = 0; j < i; j++)
            if (g_ascii_strcasecmp (a->address, m->attendees [j].address) == 0)
                return "an attendee is listed twice";
    }
    return NULL;
}

//  --------------------------------------------------------------------------
//  Building

static icaltimezone *
s_zone_new (void)
{
    icalcomponent *comp = icalparser_parse_string (s_vtimezone);
    assert (comp);
    icaltimezone *zone = icaltimezone_new ();
    assert (zone);
    int rc = icaltimezone_set_component (zone, comp);     //  zone owns comp
    assert (rc == 1);
    return zone;
}

//  Local wall-clock time of an instant in the compact zone
static struct icaltimetype
s_local (int64_t t, icaltimezone *zone)
{
    struct icaltimetype local = icaltime_from_timet_with_zone ((time_t) t, 0, zone);
    local.zone = zone;
    return local;
}

//  DTSTART or DTEND;TZID=Europe/London:YYYYMMDDTHHMMSS
static icalproperty *
s_local_property (icalproperty_kind kind, int64_t t, icaltimezone *zone)
{
    struct icaltimetype local = s_local (t, zone);
    icalproperty *prop = kind == ICAL_DTSTART_PROPERTY
                       ? icalproperty_new_dtstart (local)
                       : icalproperty_new_dtend (local);
    if (!icalproperty_get_first_parameter (prop, ICAL_TZID_PARAMETER))
        icalproperty_add_parameter (prop, icalparameter_new_tzid (LOCAL_TZID));
    return prop;
}

static icalproperty *
s_mailto_property (bool organiser, const char *address)
{
    char *value = g_strconcat ("mailto:", address, NULL);
    icalproperty *prop = organiser ? icalproperty_new_organizer (value)
                                   : icalproperty_new_attendee (value);
    g_free (value);
    return prop;
}

static icalparameter_partstat
s_ical_partstat (podd_partstat_t partstat)
{
    switch (partstat) {
        case PODD_PARTSTAT_ACCEPTED:  return ICAL_PARTSTAT_ACCEPTED;
        case PODD_PARTSTAT_DECLINED:  return ICAL_PARTSTAT_DECLINED;
        case PODD_PARTSTAT_TENTATIVE: return ICAL_PARTSTAT_TENTATIVE;
        default:                      return ICAL_PARTSTAT_NEEDSACTION;
    }
}

//  The VCALENDAR as a malloc'd CRLF string
static char *
s_build_ics (const podd_meeting_t *m, podd_method_t method, int64_t dtstamp,
             icaltimezone *zone)
{
    icalcomponent *cal = icalcomponent_new_vcalendar ();
    icalcomponent_add_property (cal, icalproperty_new_version ("2.0"));
    icalcomponent_add_property (cal, icalproperty_new_prodid (PRODID));
    icalcomponent_add_property (cal, icalproperty_new_method (
        method == PODD_METHOD_CANCEL ? ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST));
    icalcomponent_add_component (cal, icalcomponent_new_clone (icaltimezone_get_component (zone)));

    icalcomponent *event = icalcomponent_new_vevent ();
    icalcomponent_add_property (event, icalproperty_new_uid (m->uid));
    icalcomponent_add_property (event, icalproperty_new_dtstamp (
        icaltime_from_timet_with_zone ((time_t) dtstamp, 0, icaltimezone_get_utc_timezone ())));
    icalcomponent_add_property (event, icalproperty_new_sequence (m->sequence));
    icalcomponent_add_property (event, s_local_property (ICAL_DTSTART_PROPERTY, m->start, zone));
    icalcomponent_add_property (event, s_local_property (ICAL_DTEND_PROPERTY, m->end, zone));
    icalcomponent_add_property (event, icalproperty_new_summary (m->summary));
    bool online = m->online && *m->online;
    icalcomponent_add_property (event, icalproperty_new_location (
        m->location && *m->location ? m->location : m->online));
    if (online) {
        //  RFC 7986 section 5.11: VALUE=URI is required (no default type)
        icalproperty *conference = icalproperty_new_conference (m->online);
        icalproperty_add_parameter (conference, icalparameter_new_value (ICAL_VALUE_URI));
        icalproperty_add_parameter (conference, icalparameter_new_feature (ICAL_FEATURE_VIDEO));
        icalproperty_add_parameter (conference, icalparameter_new_label ("Join online"));
        icalcomponent_add_property (event, conference);
    }
    if (online || (m->contact && *m->contact) || (m->cover && *m->cover)) {
        GString *text = g_string_new (NULL);
        if (online)
            g_string_append_printf (text, "Join online: %s", m->online);
        if (m->contact && *m->contact)
            g_string_append_printf (text, "%s%s", text->len ? "\n" : "", m->contact);
        if (m->cover && *m->cover)
            g_string_append_printf (text, "%s%s", text->len ? "\n" : "", m->cover);
        icalcomponent_add_property (event, icalproperty_new_description (text->str));
        g_string_free (text, TRUE);
    }
    icalcomponent_add_property (event, icalproperty_new_status (
        m->status == PODD_MEETING_CANCELLED ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
    icalcomponent_add_property (event, icalproperty_new_class (ICAL_CLASS_PRIVATE));
    icalcomponent_add_property (event, icalproperty_new_transp (ICAL_TRANSP_OPAQUE));

    icalproperty *organiser = s_mailto_property (true, m->organiser_address);
    icalproperty_add_parameter (organiser, icalparameter_new_cn (m->organiser_name));
    icalcomponent_add_property (event, organiser);
    for (size_t i = 0; i < m->attendee_count; i++) {
        const podd_attendee_t *a = &m->attendees [i];
        icalproperty *attendee = s_mailto_property (false, a->address);
        icalproperty_add_parameter (attendee, icalparameter_new_cutype (ICAL_CUTYPE_INDIVIDUAL));
        icalproperty_add_parameter (attendee, icalparameter_new_role (ICAL_ROLE_REQPARTICIPANT));
        icalproperty_add_parameter (attendee, icalparameter_new_partstat (s_ical_partstat (a->partstat)));
        icalproperty_add_parameter (attendee, icalparameter_new_rsvp (ICAL_RSVP_TRUE));
        icalproperty_add_parameter (attendee, icalparameter_new_cn (a->name));
        icalcomponent_add_property (event, attendee);
    }
    icalcomponent_add_component (cal, event);
    char *ics = icalcomponent_as_ical_string_r (cal);
    icalcomponent_free (cal);
    return ics;
}

//  "Wed 15 Jul 2026 10:00"
static void
s_format_short (GString *out, struct icaltimetype t)
{
    int dow = icaltime_day_of_week (t) - 1;
    g_string_append_printf (out, "%s %d %s %04d %02d:%02d", s_day_short [dow], t.day,
                            s_month_short [t.month - 1], t.year, t.hour, t.minute);
}

//  "Wednesday 15 July 2026"
static void
s_format_day (GString *out, struct icaltimetype t)
{
    int dow = icaltime_day_of_week (t) - 1;
    g_string_append_printf (out, "%s %d %s %04d", s_day_long [dow], t.day,
                            s_month_long [t.month - 1], t.year);
}

static char *
s_subject (const podd_meeting_t *m, podd_method_t method, icaltimezone *zone)
{
    GString *subject = g_string_new (NULL);
    if (method == PODD_METHOD_CANCEL)
        g_string_append (subject, "Cancelled: ");
    else
    if (m->sequence > 0)
        g_string_append (subject, "Updated: ");
    g_string_append_printf (subject, "%s, ", m->summary);
    s_format_short (subject, s_local (m->start, zone));
    g_string_append_printf (subject, ", %s", m->location && *m->location ? m->location : "online");
    return g_string_free (subject, FALSE);
}

//  The human summary: what, when, where, who to call. Nothing sensitive:
//  only the fields of the meeting, which carry no case detail.
static char *
s_plain_text (const podd_meeting_t *m, podd_method_t method, icaltimezone *zone)
{
    struct icaltimetype start = s_local (m->start, zone);
    struct icaltimetype end = s_local (m->end, zone);
    GString *text = g_string_new (NULL);
    if (method == PODD_METHOD_CANCEL)
        g_string_append (text, "This meeting has been cancelled.\n\n");
    else
    if (m->sequence > 0)
        g_string_append (text, "This meeting has changed. Please check the details below.\n\n");
    else
        g_string_append (text, "You are invited to a meeting.\n\n");
    g_string_append_printf (text, "What:  %s\nWhen:  ", m->summary);
    s_format_day (text, start);
    g_string_append_printf (text, ", %02d:%02d to ", start.hour, start.minute);
    if (start.year != end.year || start.month != end.month || start.day != end.day) {
        s_format_day (text, end);
        g_string_append (text, ", ");
    }
    g_string_append_printf (text, "%02d:%02d (UK time)\n", end.hour, end.minute);
    bool online = m->online && *m->online;
    if (m->location && *m->location)
        g_string_append_printf (text, "Where: %s%s\n", m->location, online ? ", or online" : "");
    else
        g_string_append (text, "Where: online\n");
    if (online)
        g_string_append_printf (text, "Join online: %s\n", m->online);
    g_string_append_printf (text, "Organiser: %s <%s>\n\n", m->organiser_name, m->organiser_address);
    if (method == PODD_METHOD_CANCEL)
        g_string_append (text, "No reply is needed.\n");
    else
        g_string_append (text, "Please answer with your calendar's Accept, Tentative or "
                               "Decline buttons.\n");
    if (m->contact && *m->contact)
        g_string_append_printf (text, "\n%s\n", m->contact);
    if (m->cover && *m->cover)
        g_string_append_printf (text, "%s%s\n", m->contact && *m->contact ? "" : "\n", m->cover);
    return g_string_free (text, FALSE);
}

//  A mailbox whose display name, when not ASCII, is RFC 2047 encoded as
//  UTF-8 (left alone GMime picks a "best" charset such as windows-1251)
static void
s_add_mailbox (GMimeMessage *message, GMimeAddressType type, const char *name, const char *addr)
{
    char *encoded = name? podd_message_encode_words (name, true): NULL;
    InternetAddress *mailbox = internet_address_mailbox_new (encoded, addr);
    free (encoded);
    internet_address_set_charset (mailbox, "UTF-8");
    internet_address_list_add (g_mime_message_get_addresses (message, type), mailbox);
    g_object_unref (mailbox);
}

int
podd_calendar_invite (const podd_meeting_t *meeting, podd_method_t method,
                      const char *from, const char *message_id, int64_t date,
                      char **out, size_t *out_size, const char **reason)
{
    assert (meeting);
    assert (out);
    assert (out_size);
    assert (reason);
    *out = NULL;
    *out_size = 0;
    *reason = NULL;

    const char *problem = s_check_meeting (meeting, method);
    if (problem) {
        *reason = problem;
        return -1;
    }
    if (from && !s_valid_address (from)) {
        *reason = "From address is not a valid local@domain address";
        return -1;
    }
    if (!from)
        from = meeting->organiser_address;
    for (size_t i = 0; i < meeting->attendee_count; i++)
        if (g_ascii_strcasecmp (from, meeting->attendees [i].address) == 0) {
            *reason = "the From address must not be an attendee";
            return -1;
        }
    char id [MAX_MESSAGE_ID + 3] = "";
    if (message_id) {
        size_t len = strlen (message_id);
        if (len >= 2 && len <= MAX_MESSAGE_ID + 2
        &&  message_id [0] == '<' && message_id [len - 1] == '>') {
            memcpy (id, message_id + 1, len - 2);
            id [len - 2] = 0;
        }
        else
        if (len <= MAX_MESSAGE_ID)
            memcpy (id, message_id, len + 1);
    }
    if (!s_valid_message_id (id)) {
        *reason = "Message-ID is not a valid id@domain";
        return -1;
    }
    if (date < 0 || date > MAX_INSTANT) {
        *reason = "date is out of range";
        return -1;
    }
    s_gmime_init ();
    icaltimezone *zone = s_zone_new ();
    char *ics = s_build_ics (meeting, method, date, zone);
    char *subject = s_subject (meeting, method, zone);
    char *text = s_plain_text (meeting, method, zone);
    icaltimezone_free (zone, 1);
    const char *method_name = method == PODD_METHOD_CANCEL ? "CANCEL" : "REQUEST";

    GMimeMessage *message = g_mime_message_new (TRUE);
    s_add_mailbox (message, GMIME_ADDRESS_TYPE_FROM, meeting->organiser_name, from);
    if (g_ascii_strcasecmp (from, meeting->organiser_address) != 0)
        s_add_mailbox (message, GMIME_ADDRESS_TYPE_REPLY_TO,
                       meeting->organiser_name, meeting->organiser_address);
    for (size_t i = 0; i < meeting->attendee_count; i++)
        s_add_mailbox (message, GMIME_ADDRESS_TYPE_TO,
                       meeting->attendees [i].name, meeting->attendees [i].address);
    char *encoded_subject = podd_message_encode_words (subject, false);
    g_mime_message_set_subject (message, encoded_subject, "UTF-8");
    free (encoded_subject);
    GDateTime *when = g_date_time_new_from_unix_utc (date);
    g_mime_message_set_date (message, when);
    g_date_time_unref (when);
    g_mime_message_set_message_id (message, id);

    GMimeMultipart *alternative = g_mime_multipart_new_with_subtype ("alternative");
    GMimeTextPart *plain = g_mime_text_part_new_with_subtype ("plain");
    g_mime_text_part_set_text (plain, text);
    g_mime_text_part_set_charset (plain, "UTF-8");
    g_mime_part_set_content_encoding (GMIME_PART (plain),
        g_mime_part_get_best_content_encoding (GMIME_PART (plain), GMIME_ENCODING_CONSTRAINT_7BIT));
    g_mime_multipart_add (alternative, GMIME_OBJECT (plain));
    g_object_unref (plain);

    GMimeTextPart *calendar = g_mime_text_part_new_with_subtype ("calendar");
    g_mime_text_part_set_text (calendar, ics);
    g_mime_text_part_set_charset (calendar, "UTF-8");
    g_mime_object_set_content_type_parameter (GMIME_OBJECT (calendar), "method", method_name);
    g_mime_part_set_content_encoding (GMIME_PART (calendar), GMIME_CONTENT_ENCODING_BASE64);
    g_mime_multipart_add (alternative, GMIME_OBJECT (calendar));
    g_object_unref (calendar);
    g_mime_message_set_mime_part (message, GMIME_OBJECT (alternative));
    g_object_unref (alternative);

    GMimeFormatOptions *format = g_mime_format_options_new ();
    g_mime_format_options_set_newline_format (format, GMIME_NEWLINE_FORMAT_DOS);
    GMimeStream *stream = g_mime_stream_mem_new ();
    ssize_t written = g_mime_object_write_to_stream (GMIME_OBJECT (message), format, stream);
    GByteArray *bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
    int rc = -1;
    if (written > 0 && bytes && bytes->len > 0) {
        *out = malloc (bytes->len + 1);
        assert (*out);
        memcpy (*out, bytes->data, bytes->len);
        (*out) [bytes->len] = 0;
        *out_size = bytes->len;
        rc = 0;
    }
    else
        *reason = "GMime could not write the message";
    g_object_unref (stream);
    g_mime_format_options_free (format);
    g_object_unref (message);
    free (ics);
    g_free (subject);
    g_free (text);
    return rc;
}

//  --------------------------------------------------------------------------
//  Parsing a reply

const char *
podd_calendar_partstat_name (podd_partstat_t partstat)
{
    switch (partstat) {
        case PODD_PARTSTAT_ACCEPTED:  return "ACCEPTED";
        case PODD_PARTSTAT_DECLINED:  return "DECLINED";
        case PODD_PARTSTAT_TENTATIVE: return "TENTATIVE";
        default:                      return "NEEDS-ACTION";
    }
}

void
podd_calendar_reply_destroy (podd_calendar_reply_t **self_p)
{
    assert (self_p);
    podd_calendar_reply_t *self = *self_p;
    if (self) {
        free (self->uid);
        free (self->attendee);
        free (self->organiser);
        free (self->from);
        free (self->message_id);
        free (self);
        *self_p = NULL;
    }
}

//  Depth first: a text/calendar part (want_ics false), or an
//  application/ics or *.ics part (want_ics true). Skips message/rfc822.
static GMimePart *
s_find_calendar (GMimeObject *object, int depth, bool want_ics)
{
    if (!object || depth > MAX_DEPTH)
        return NULL;
    if (GMIME_IS_MULTIPART (object)) {
        GMimeMultipart *multipart = GMIME_MULTIPART (object);
        int count = g_mime_multipart_get_count (multipart);
        for (int i = 0; i < count; i++) {
            GMimePart *found = s_find_calendar (
                g_mime_multipart_get_part (multipart, i), depth + 1, want_ics);
            if (found)
                return found;
        }
        return NULL;
    }
    if (!GMIME_IS_PART (object))
        return NULL;
    GMimeContentType *type = g_mime_object_get_content_type (object);
    if (!want_ics)
        return type && g_mime_content_type_is_type (type, "text", "calendar")
             ? GMIME_PART (object) : NULL;
    if (type && g_mime_content_type_is_type (type, "application", "ics"))
        return GMIME_PART (object);
    const char *filename = g_mime_part_get_filename (GMIME_PART (object));
    size_t len = filename ? strlen (filename) : 0;
    if (len > 4 && g_ascii_strcasecmp (filename + len - 4, ".ics") == 0)
        return GMIME_PART (object);
    return NULL;
}

//  Decoded content of a part, converted to UTF-8 from its charset.
//  Returns a g_malloc'd NUL-terminated string, or NULL and *reason.
static char *
s_part_text (GMimePart *part, const char **reason)
{
    GMimeDataWrapper *content = g_mime_part_get_content (part);
    if (!content) {
        *reason = "calendar part is empty";
        return NULL;
    }
    GMimeStream *stream = g_mime_stream_mem_new ();
    g_mime_data_wrapper_write_to_stream (content, stream);
    GByteArray *bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
    char *text = NULL;
    if (!bytes || bytes->len == 0)
        *reason = "calendar part is empty";
    else
    if (bytes->len > MAX_CAL_PART)
        *reason = "calendar part is too large";
    else
    if (memchr (bytes->data, 0, bytes->len))
        *reason = "calendar part is not iCalendar";
    else {
        const char *charset = g_mime_object_get_content_type_parameter (GMIME_OBJECT (part), "charset");
        if (charset && g_ascii_strcasecmp (charset, "utf-8") != 0
        &&  g_ascii_strcasecmp (charset, "us-ascii") != 0) {
            gsize converted = 0;
            text = g_convert ((const char *) bytes->data, bytes->len, "UTF-8",
                              g_mime_charset_iconv_name (charset), NULL, &converted, NULL);
            if (!text)
                *reason = "calendar part cannot be converted to UTF-8";
        }
        else
            text = g_strndup ((const char *) bytes->data, bytes->len);
        if (text && !g_utf8_validate (text, -1, NULL)) {
            g_free (text);
            text = NULL;
            *reason = "calendar part is not valid UTF-8";
        }
    }
    g_object_unref (stream);
    return text;
}

//  "mailto:X" -> malloc'd lower-cased X when X is a valid address
static char *
s_mailto_address (const char *value)
{
    if (!value || g_ascii_strncasecmp (value, "mailto:", 7) != 0)
        return NULL;
    if (!s_valid_address (value + 7))
        return NULL;
    char *lower = g_ascii_strdown (value + 7, -1);
    char *result = strdup (lower);
    g_free (lower);
    return result;
}

//  The properties podd reads from a reply, as raw content lines: libical
//  drops a line it cannot parse (reporting it as an X-LIC-ERROR somewhere
//  in the component) and reads SEQUENCE:abc as 0, so the lines that carry
//  what podd reads are checked here, and every other line is left alone.
typedef enum {
    S_METHOD, S_UID, S_SEQUENCE, S_DTSTAMP, S_ATTENDEE, S_ORGANIZER, S_READ_COUNT
} s_read_t;

static const char *s_read_names [S_READ_COUNT] = {
    "METHOD", "UID", "SEQUENCE", "DTSTAMP", "ATTENDEE", "ORGANIZER"
};

typedef struct {
    int count [S_READ_COUNT];           //  lines of that name where podd reads it
    int broken [S_READ_COUNT];          //  of which not to the grammar
} s_raw_t;

//  RFC 5545 section 3.1: name *(";" param) ":" value, where a param is
//  name "=" param-value *("," param-value) and a param-value is a
//  quoted-string or paramtext. The value must not be empty. SEQUENCE's
//  value is digits.
static bool
s_line_ok (const char *line, s_read_t kind)
{
    const char *p = line;
    while (*p && *p != ';' && *p != ':')
        p++;
    while (*p == ';') {
        p++;
        const char *name = p;
        while (g_ascii_isalnum (*p) || *p == '-')
            p++;
        if (p == name || *p++ != '=')
            return false;
        while (true) {
            if (*p == '"') {
                for (p++; *p && *p != '"'; p++)
                    if ((unsigned char) *p < 0x20 && *p != '\t')
                        return false;
                if (*p++ != '"')
                    return false;
            }
            else
                for (; *p && !strchr ("\";:,", *p); p++)
                    if ((unsigned char) *p < 0x20 && *p != '\t')
                        return false;
            if (*p != ',')
                break;
            p++;
        }
    }
    if (*p++ != ':' || !*p)
        return false;
    if (kind == S_SEQUENCE) {
        size_t digits = strspn (p, "0123456789");
        return digits > 0 && digits <= 9 && p [digits] == 0;
    }
    for (; *p; p++)
        if ((unsigned char) *p < 0x20 && *p != '\t')
            return false;
    return true;
}

//  Count the lines podd reads: METHOD directly in the VCALENDAR, the
//  others directly in a VEVENT (not in a VALARM inside it). Lines end in
//  CRLF or LF; a line starting with a space or tab continues the previous.
static void
s_scan_raw (const char *text, s_raw_t *raw)
{
    memset (raw, 0, sizeof *raw);
    GString *line = g_string_new (NULL);
    char *stack [MAX_DEPTH] = { NULL };
    int depth = 0;                      //  may exceed MAX_DEPTH: those are not kept
    const char *p = text;
    while (*p) {
        g_string_truncate (line, 0);
        while (*p) {
            const char *eol = p + strcspn (p, "\r\n");
            g_string_append_len (line, p, eol - p);
            p = eol;
            if (*p == '\r')
                p++;
            if (*p == '\n')
                p++;
            if (*p != ' ' && *p != '\t')
                break;
            p++;                        //  folded: drop the line break and one blank
        }
        size_t name_len = strcspn (line->str, ";:");
        char *name = g_ascii_strup (line->str, (gssize) name_len);
        const char *value = line->str [name_len] == ':' ? line->str + name_len + 1 : "";
        if (streq (name, "BEGIN")) {
            if (depth < MAX_DEPTH)
                stack [depth] = g_ascii_strup (value, -1);
            depth++;
        }
        else
        if (streq (name, "END")) {
            if (depth > 0 && --depth < MAX_DEPTH) {
                g_free (stack [depth]);
                stack [depth] = NULL;
            }
        }
        else {
            bool in_calendar = depth == 1 && stack [0] && streq (stack [0], "VCALENDAR");
            bool in_event = depth == 2 && stack [0] && streq (stack [0], "VCALENDAR")
                         && stack [1] && streq (stack [1], "VEVENT");
            for (int kind = 0; kind < S_READ_COUNT; kind++)
                if (streq (name, s_read_names [kind])
                &&  (kind == S_METHOD ? in_calendar : in_event)) {
                    raw->count [kind]++;
                    if (!s_line_ok (line->str, (s_read_t) kind))
                        raw->broken [kind]++;
                }
        }
        g_free (name);
    }
    for (int i = 0; i < MAX_DEPTH; i++)
        g_free (stack [i]);
    g_string_free (line, TRUE);
}

//  The property podd reads is there once, to the grammar, and libical
//  kept it
static bool
s_raw_sound (const s_raw_t *raw, s_read_t kind, icalcomponent *comp, icalproperty_kind ical_kind)
{
    return raw->broken [kind] == 0
        && raw->count [kind] == icalcomponent_count_properties (comp, ical_kind);
}

//  Record a fault found after the fields that identify the reply; the
//  first one stays
static void
s_fault (podd_calendar_reply_t *reply, const char *fault)
{
    if (!reply->fault)
        reply->fault = fault;
}

//  Validate the VCALENDAR and fill reply; returns NULL or the reason the
//  message is not a reply podd can place. Lesser faults go to reply->fault.
static const char *
s_read_reply (icalcomponent *root, const s_raw_t *raw, podd_calendar_reply_t *reply)
{
    if (icalcomponent_isa (root) != ICAL_VCALENDAR_COMPONENT)
        return "calendar part is not one VCALENDAR";
    int methods = icalcomponent_count_properties (root, ICAL_METHOD_PROPERTY);
    if (methods == 0 && raw->count [S_METHOD] == 0)
        return "calendar has no METHOD";
    if (!s_raw_sound (raw, S_METHOD, root, ICAL_METHOD_PROPERTY))
        return "METHOD is malformed";
    if (methods > 1 || icalcomponent_get_method (root) != ICAL_METHOD_REPLY)
        return "METHOD is not REPLY";
    int events = icalcomponent_count_components (root, ICAL_VEVENT_COMPONENT);
    if (events == 0)
        return "calendar has no VEVENT";
    if (events > 1)
        return "calendar has several VEVENTs";
    icalcomponent *event = icalcomponent_get_first_component (root, ICAL_VEVENT_COMPONENT);

    //  Which meeting and who: without these the reply cannot be placed
    if (raw->count [S_UID] > 1 || icalcomponent_count_properties (event, ICAL_UID_PROPERTY) > 1)
        return "VEVENT has several UIDs";
    if (raw->count [S_UID] == 0)
        return "VEVENT has no UID";
    const char *uid = icalcomponent_get_uid (event);
    if (!s_raw_sound (raw, S_UID, event, ICAL_UID_PROPERTY) || !uid || !*uid
    ||  s_text_problem (uid, MAX_UID, false))
        return "UID is malformed";
    int count = icalcomponent_count_properties (event, ICAL_ATTENDEE_PROPERTY);
    if (raw->count [S_ATTENDEE] > 1 || count > 1)
        return "VEVENT has several ATTENDEEs";
    if (raw->count [S_ATTENDEE] == 0)
        return "VEVENT has no ATTENDEE";
    if (!s_raw_sound (raw, S_ATTENDEE, event, ICAL_ATTENDEE_PROPERTY))
        return "ATTENDEE is malformed";
    icalproperty *attendee = icalcomponent_get_first_property (event, ICAL_ATTENDEE_PROPERTY);
    char *address = s_mailto_address (icalproperty_get_attendee (attendee));
    if (!address)
        return "ATTENDEE is not a valid mailto: address";
    reply->uid = strdup (uid);
    assert (reply->uid);
    reply->attendee = address;

    //  What they answered, to which version, when
    icalparameter *param = icalproperty_get_first_parameter (attendee, ICAL_PARTSTAT_PARAMETER);
    reply->partstat = PODD_PARTSTAT_NEEDS_ACTION;
    if (!param)
        s_fault (reply, "ATTENDEE has no PARTSTAT");
    else
    switch (icalparameter_get_partstat (param)) {
        case ICAL_PARTSTAT_ACCEPTED:  reply->partstat = PODD_PARTSTAT_ACCEPTED; break;
        case ICAL_PARTSTAT_DECLINED:  reply->partstat = PODD_PARTSTAT_DECLINED; break;
        case ICAL_PARTSTAT_TENTATIVE: reply->partstat = PODD_PARTSTAT_TENTATIVE; break;
        default: s_fault (reply, "PARTSTAT is not ACCEPTED, DECLINED or TENTATIVE");
    }
    if (raw->count [S_SEQUENCE] > 1)
        s_fault (reply, "VEVENT has several SEQUENCEs");
    else
    if (!s_raw_sound (raw, S_SEQUENCE, event, ICAL_SEQUENCE_PROPERTY))
        s_fault (reply, "SEQUENCE is malformed (it must be a number, 0 or more)");
    else
    if (raw->count [S_SEQUENCE] == 1)
        reply->sequence = icalcomponent_get_sequence (event);
    if (raw->count [S_DTSTAMP] == 0)
        s_fault (reply, "VEVENT has no DTSTAMP");
    else
    if (raw->count [S_DTSTAMP] > 1)
        s_fault (reply, "VEVENT has several DTSTAMPs");
    else
    if (!s_raw_sound (raw, S_DTSTAMP, event, ICAL_DTSTAMP_PROPERTY))
        s_fault (reply, "DTSTAMP is malformed");
    else {
        struct icaltimetype stamp = icalproperty_get_dtstamp (
            icalcomponent_get_first_property (event, ICAL_DTSTAMP_PROPERTY));
        if (icaltime_is_null_time (stamp) || stamp.is_date || !icaltime_is_utc (stamp))
            s_fault (reply, "DTSTAMP is not a UTC date-time");
        else
            reply->dtstamp = (int64_t) icaltime_as_timet (stamp);
    }
    if (raw->count [S_ORGANIZER] > 1)
        s_fault (reply, "VEVENT has several ORGANIZERs");
    else
    if (raw->count [S_ORGANIZER] == 1) {
        if (s_raw_sound (raw, S_ORGANIZER, event, ICAL_ORGANIZER_PROPERTY))
            reply->organiser = s_mailto_address (icalproperty_get_organizer (
                icalcomponent_get_first_property (event, ICAL_ORGANIZER_PROPERTY)));
        if (!reply->organiser)
            s_fault (reply, "ORGANIZER is not a valid mailto: address");
    }
    return NULL;
}

int
podd_calendar_parse_reply (const void *data, size_t size,
                           podd_calendar_reply_t **reply_p, const char **reason)
{
    assert (reply_p);
    assert (reason);
    *reply_p = NULL;
    *reason = NULL;
    if (!data || size == 0) {
        *reason = "message is empty";
        return -1;
    }
    s_gmime_init ();
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer (data, size);
    GMimeParser *parser = g_mime_parser_new_with_stream (stream);
    g_object_unref (stream);
    GMimeMessage *message = g_mime_parser_construct_message (parser, NULL);
    g_object_unref (parser);
    if (!message) {
        *reason = "not an email message";
        return -1;
    }
    podd_calendar_reply_t *reply = calloc (1, sizeof *reply);
    assert (reply);
    const char *problem = NULL;
    char *text = NULL;
    icalcomponent *root = NULL;

    GMimeObject *body = g_mime_message_get_mime_part (message);
    GMimePart *part = s_find_calendar (body, 0, false);
    if (!part)
        part = s_find_calendar (body, 0, true);
    if (!part) {
        problem = "message has no calendar part";
        goto done;
    }
    if (!(text = s_part_text (part, &problem)))
        goto done;
    root = icalparser_parse_string (text);
    if (!root) {
        problem = "calendar part is not iCalendar";
        goto done;
    }
    s_raw_t raw;
    s_scan_raw (text, &raw);
    if ((problem = s_read_reply (root, &raw, reply)))
        goto done;

    InternetAddressList *from = g_mime_message_get_from (message);
    InternetAddress *first = from && internet_address_list_length (from) > 0
                           ? internet_address_list_get_address (from, 0) : NULL;
    const char *addr = first && INTERNET_ADDRESS_IS_MAILBOX (first)
                     ? internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (first)) : NULL;
    if (!addr || !*addr) {
        problem = "message has no From address";
        goto done;
    }
    if (!s_valid_address (addr)) {
        problem = "From is not a valid local@domain address";
        goto done;
    }
    char *lower = g_ascii_strdown (addr, -1);
    reply->from = strdup (lower);
    g_free (lower);
    const char *id = g_mime_message_get_message_id (message);
    if (id && *id) {
        if (s_valid_token (id, MAX_MESSAGE_ID))
            reply->message_id = strdup (id);
        else
            s_fault (reply, "Message-ID is malformed");
    }
done:
    if (root)
        icalcomponent_free (root);
    g_free (text);
    g_object_unref (message);
    if (problem) {
        podd_calendar_reply_destroy (&reply);
        *reason = problem;
        return -1;
    }
    *reply_p = reply;
    return 0;
}

//  --------------------------------------------------------------------------
//  Self-test

//  Unfolded copy of iCalendar text (CRLF + space/tab removed)
static char *
s_unfold (const char *ics)
{
    char *out = g_malloc (strlen (ics) + 1), *o = out;
    for (const char *p = ics; *p; p++) {
        if (p [0] == '\r' && p [1] == '\n' && (p [2] == ' ' || p [2] == '\t'))
            p += 2;
        else
            *o++ = *p;
    }
    *o = 0;
    return out;
}

//  True when some line of text (CRLF or LF separated) starts with prefix
static bool
s_has_line (const char *text, const char *prefix)
{
    size_t len = strlen (prefix);
    for (const char *p = text; p; p = strchr (p, '\n')) {
        if (*p == '\n')
            p++;
        if (strncmp (p, prefix, len) == 0)
            return true;
    }
    return false;
}

//  Every LF is preceded by CR
static bool
s_all_crlf (const char *data, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (data [i] == '\n' && (i == 0 || data [i - 1] != '\r'))
            return false;
    return true;
}

//  Test view of an invite: parsed message, decoded calendar, plain text
typedef struct {
    GMimeMessage *message;
    GMimeObject *plain;
    GMimeObject *calendar;
    char *ics;                  //  unfolded
    char *text;
} s_view_t;

static void
s_view (const char *data, size_t size, s_view_t *view)
{
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer (data, size);
    GMimeParser *parser = g_mime_parser_new_with_stream (stream);
    view->message = g_mime_parser_construct_message (parser, NULL);
    assert (view->message);
    g_object_unref (parser);
    g_object_unref (stream);
    GMimeObject *body = g_mime_message_get_mime_part (view->message);
    assert (GMIME_IS_MULTIPART (body));
    assert (g_mime_content_type_is_type (g_mime_object_get_content_type (body),
                                         "multipart", "alternative"));
    assert (g_mime_multipart_get_count (GMIME_MULTIPART (body)) == 2);
    view->plain = g_mime_multipart_get_part (GMIME_MULTIPART (body), 0);
    view->calendar = g_mime_multipart_get_part (GMIME_MULTIPART (body), 1);
    assert (g_mime_content_type_is_type (g_mime_object_get_content_type (view->plain),
                                         "text", "plain"));
    assert (g_mime_content_type_is_type (g_mime_object_get_content_type (view->calendar),
                                         "text", "calendar"));
    assert (g_mime_part_get_content_encoding (GMIME_PART (view->calendar))
            == GMIME_CONTENT_ENCODING_BASE64);
    assert (!g_mime_object_get_content_disposition (view->calendar));
    assert (g_ascii_strcasecmp (g_mime_object_get_content_type_parameter (
            view->calendar, "charset"), "UTF-8") == 0);
    const char *reason = NULL;
    char *raw = s_part_text (GMIME_PART (view->calendar), &reason);
    assert (raw);
    assert (s_all_crlf (raw, strlen (raw)));
    view->ics = s_unfold (raw);
    g_free (raw);
    view->text = s_part_text (GMIME_PART (view->plain), &reason);
    assert (view->text);
}

static void
s_view_free (s_view_t *view)
{
    g_object_unref (view->message);
    g_free (view->ics);
    g_free (view->text);
}

//  UTC instant of a DTSTART/DTEND in ics, resolved with its own VTIMEZONE
static int64_t
s_ics_instant (const char *ics, icalproperty_kind kind)
{
    icalcomponent *cal = icalparser_parse_string (ics);
    assert (cal);
    assert (icalcomponent_count_errors (cal) == 0);
    icalcomponent *vtz = icalcomponent_get_first_component (cal, ICAL_VTIMEZONE_COMPONENT);
    assert (vtz);
    assert (icalcomponent_count_components (cal, ICAL_VTIMEZONE_COMPONENT) == 1);
    icaltimezone *zone = icaltimezone_new ();
    icaltimezone_set_component (zone, icalcomponent_new_clone (vtz));
    assert (streq (icaltimezone_get_tzid (zone), LOCAL_TZID));
    icalcomponent *event = icalcomponent_get_first_component (cal, ICAL_VEVENT_COMPONENT);
    icalproperty *prop = icalcomponent_get_first_property (event, kind);
    icalparameter *tzid = icalproperty_get_first_parameter (prop, ICAL_TZID_PARAMETER);
    assert (tzid && streq (icalparameter_get_tzid (tzid), LOCAL_TZID));
    struct icaltimetype t = kind == ICAL_DTSTART_PROPERTY ? icalproperty_get_dtstart (prop)
                                                          : icalproperty_get_dtend (prop);
    t.zone = zone;
    int64_t instant = (int64_t) icaltime_as_timet_with_zone (t, zone);
    icaltimezone_free (zone, 1);
    icalcomponent_free (cal);
    return instant;
}

static int64_t
s_utc (int y, int mo, int d, int h, int mi)
{
    struct icaltimetype t = icaltime_null_time ();
    t.year = y; t.month = mo; t.day = d; t.hour = h; t.minute = mi;
    t.zone = icaltimezone_get_utc_timezone ();
    return (int64_t) icaltime_as_timet (t);
}

//  A reply message around a VEVENT body (lines joined with CRLF)
static char *
s_reply_message (const char *from, const char *vevent_lines, const char *method)
{
    return g_strdup_printf (
        "From: Jo Reed <%s>\r\n"
        "To: North pod <pod-north@pod-north.example>\r\n"
        "Subject: Accepted: Placement stability meeting\r\n"
        "Message-ID: <reply-1@school.example>\r\n"
        "Date: Mon, 13 Jul 2026 08:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/calendar; charset=UTF-8; method=REPLY\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        "BEGIN:VCALENDAR\r\n"
        "VERSION:2.0\r\n"
        "PRODID:-//test//reply//EN\r\n"
        "METHOD:%s\r\n"
        "BEGIN:VEVENT\r\n"
        "%s"
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n", from, method, vevent_lines);
}

#define REPLY_OK_LINES \
    "UID:podd-7-1@pod-north.example\r\n" \
    "SEQUENCE:1\r\n" \
    "DTSTAMP:20260713T080000Z\r\n" \
    "ATTENDEE;PARTSTAT=ACCEPTED;CN=Jo Reed:mailto:Jo.Reed@School.example\r\n"

static void
s_expect_refusal (const char *data, size_t size, const char *expected)
{
    podd_calendar_reply_t *reply = NULL;
    const char *reason = NULL;
    int rc = podd_calendar_parse_reply (data, size, &reply, &reason);
    if (rc == 0 && reply->fault) {              //  read, but refused by the caller
        reason = reply->fault;
        podd_calendar_reply_destroy (&reply);
        rc = -1;
    }
    if (rc != -1 || !reason || !strstr (reason, expected)) {
        fprintf (stderr, "calendar: wanted refusal '%s', got rc=%d reason '%s'\n",
                 expected, rc, reason ? reason : "(none)");
        assert (false);
    }
    assert (reply == NULL);
}

static void
s_expect_refusal_lines (const char *lines, const char *method, const char *expected)
{
    char *message = s_reply_message ("jo.reed@school.example", lines, method);
    s_expect_refusal (message, strlen (message), expected);
    g_free (message);
}

static void
s_expect_invalid (const podd_meeting_t *m, podd_method_t method, const char *from,
                  const char *expected)
{
    char *out = NULL;
    size_t size = 0;
    const char *reason = NULL;
    int rc = podd_calendar_invite (m, method, from, "inv-1@pod-north.example",
                                   s_utc (2026, 7, 1, 9, 0), &out, &size, &reason);
    if (rc != -1 || !reason || !strstr (reason, expected)) {
        fprintf (stderr, "calendar: wanted invalid '%s', got rc=%d reason '%s'\n",
                 expected, rc, reason ? reason : "(none)");
        assert (false);
    }
    assert (out == NULL && size == 0);
}

void
podd_calendar_test (bool verbose)
{
    if (verbose)
        printf (" * calendar: ");
    s_gmime_init ();

    podd_attendee_t attendees [] = {
        { "Jo Reed", "jo.reed@school.example", PODD_PARTSTAT_NEEDS_ACTION },
        { "Priya Shah, Virtual School", "priya.shah@vs.example", PODD_PARTSTAT_NEEDS_ACTION },
    };
    podd_meeting_t meeting = {
        .uid = "podd-7-1@pod-north.example",
        .sequence = 0,
        .start = s_utc (2026, 7, 15, 9, 0),         //  10:00 BST
        .end = s_utc (2026, 7, 15, 10, 30),
        .summary = "Placement stability meeting",
        .location = "Room 2, County Hall",
        .organiser_name = "North pod",
        .organiser_address = "pod-north@pod-north.example",
        .attendees = attendees,
        .attendee_count = 2,
        .status = PODD_MEETING_CONFIRMED,
        .contact = "North pod: 01632 960000, pod-north@pod-north.example",
        .cover = "If the lead worker is away, call the duty worker on 01632 960001.",
    };
    const int64_t date = s_utc (2026, 7, 1, 12, 0);
    char *out = NULL;
    size_t size = 0;
    const char *reason = NULL;

    //  The REQUEST
    int rc = podd_calendar_invite (&meeting, PODD_METHOD_REQUEST, NULL,
                                   "<podd-7-1-0@pod-north.example>", date, &out, &size, &reason);
    assert (rc == 0 && out && size == strlen (out));
    assert (s_all_crlf (out, size));
    for (size_t i = 0; i < size; i++)
        assert ((unsigned char) out [i] < 0x80);
    assert (s_has_line (out, "Message-Id: <podd-7-1-0@pod-north.example>\r"));
    assert (s_has_line (out, "MIME-Version: 1.0\r"));
    assert (s_has_line (out, "Date: Wed, 01 Jul 2026 12:00:00 +0000\r"));
    assert (s_has_line (out, "From: North pod <pod-north@pod-north.example>\r"));
    assert (!s_has_line (out, "Reply-To:"));
    assert (strstr (out, "text/calendar; charset=UTF-8; method=REQUEST"));
    assert (!strstr (out, "Content-Disposition"));
    s_view_t view;
    s_view (out, size, &view);
    assert (streq (g_mime_message_get_subject (view.message),
                   "Placement stability meeting, Wed 15 Jul 2026 10:00, Room 2, County Hall"));
    assert (streq (g_mime_object_get_content_type_parameter (view.calendar, "method"), "REQUEST"));
    InternetAddressList *to = g_mime_message_get_to (view.message);
    assert (internet_address_list_length (to) == 2);
    assert (streq (internet_address_get_name (internet_address_list_get_address (to, 1)),
                   "Priya Shah, Virtual School"));
    const char *ics = view.ics;
    assert (strstr (ics, "BEGIN:VCALENDAR\r\n"));
    assert (s_has_line (ics, "VERSION:2.0\r"));
    assert (s_has_line (ics, "PRODID:" PRODID "\r"));
    assert (s_has_line (ics, "METHOD:REQUEST\r"));
    assert (s_has_line (ics, "TZID:Europe/London\r"));
    assert (!strstr (ics, "freeassociation"));
    assert (s_has_line (ics, "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r"));
    assert (s_has_line (ics, "UID:podd-7-1@pod-north.example\r"));
    assert (s_has_line (ics, "DTSTAMP:20260701T120000Z\r"));
    assert (s_has_line (ics, "SEQUENCE:0\r"));
    assert (s_has_line (ics, "DTSTART;TZID=Europe/London:20260715T100000\r"));
    assert (s_has_line (ics, "DTEND;TZID=Europe/London:20260715T113000\r"));
    assert (s_has_line (ics, "SUMMARY:Placement stability meeting\r"));
    assert (s_has_line (ics, "LOCATION:Room 2\\, County Hall\r"));
    assert (s_has_line (ics, "STATUS:CONFIRMED\r"));
    assert (s_has_line (ics, "ORGANIZER;CN=North pod:mailto:pod-north@pod-north.example\r"));
    assert (s_has_line (ics, "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
                             "RSVP=TRUE;CN=Jo Reed:mailto:jo.reed@school.example\r"));
    assert (s_has_line (ics, "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
                             "RSVP=TRUE;CN=\"Priya Shah, Virtual School\":mailto:priya.shah@vs.example\r"));
    //  10:00 Europe/London in July is 09:00Z, by the VTIMEZONE we ship
    assert (s_ics_instant (view.ics, ICAL_DTSTART_PROPERTY) == meeting.start);
    assert (s_ics_instant (view.ics, ICAL_DTEND_PROPERTY) == meeting.end);
    assert (strstr (view.text, "You are invited"));
    assert (strstr (view.text, "When:  Wednesday 15 July 2026, 10:00 to 11:30 (UK time)"));
    assert (strstr (view.text, "Where: Room 2, County Hall"));
    assert (strstr (view.text, meeting.contact));
    assert (strstr (view.text, meeting.cover));
    s_view_free (&view);
    free (out);

    //  An update: SEQUENCE 1, a new time (January: GMT, so 10:00 = 10:00Z)
    meeting.sequence = 1;
    meeting.start = s_utc (2027, 1, 20, 10, 0);
    meeting.end = s_utc (2027, 1, 20, 11, 0);
    rc = podd_calendar_invite (&meeting, PODD_METHOD_REQUEST, "podd@pod-north.example",
                               "podd-7-1-1@pod-north.example", date + 60, &out, &size, &reason);
    assert (rc == 0);
    assert (s_has_line (out, "From: North pod <podd@pod-north.example>\r"));
    assert (s_has_line (out, "Reply-To: North pod <pod-north@pod-north.example>\r"));
    s_view (out, size, &view);
    assert (streq (g_mime_message_get_subject (view.message),
                   "Updated: Placement stability meeting, Wed 20 Jan 2027 10:00, Room 2, County Hall"));
    assert (s_has_line (view.ics, "SEQUENCE:1\r"));
    assert (s_has_line (view.ics, "DTSTART;TZID=Europe/London:20270120T100000\r"));
    assert (s_has_line (view.ics, "DTSTAMP:20260701T120100Z\r"));
    assert (s_ics_instant (view.ics, ICAL_DTSTART_PROPERTY) == meeting.start);
    assert (strstr (view.text, "has changed"));
    s_view_free (&view);
    free (out);

    //  The CANCEL
    meeting.sequence = 2;
    meeting.status = PODD_MEETING_CANCELLED;
    rc = podd_calendar_invite (&meeting, PODD_METHOD_CANCEL, NULL,
                               "podd-7-1-2@pod-north.example", date + 120, &out, &size, &reason);
    assert (rc == 0);
    assert (strstr (out, "text/calendar; charset=UTF-8; method=CANCEL"));
    s_view (out, size, &view);
    assert (strncmp (g_mime_message_get_subject (view.message), "Cancelled: Placement", 20) == 0);
    assert (streq (g_mime_object_get_content_type_parameter (view.calendar, "method"), "CANCEL"));
    assert (s_has_line (view.ics, "METHOD:CANCEL\r"));
    assert (s_has_line (view.ics, "STATUS:CANCELLED\r"));
    assert (s_has_line (view.ics, "SEQUENCE:2\r"));
    assert (s_has_line (view.ics, "UID:podd-7-1@pod-north.example\r"));
    assert (strstr (view.text, "has been cancelled"));
    s_view_free (&view);
    free (out);
    meeting.status = PODD_MEETING_CONFIRMED;
    meeting.sequence = 0;

    //  Non-ASCII names and place: RFC 2047 in headers, UTF-8 in iCalendar
    podd_attendee_t welsh [] = {
        { "Siân Llŷr", "sian.llyr@health.example", PODD_PARTSTAT_ACCEPTED },
    };
    podd_meeting_t m2 = meeting;
    m2.attendees = welsh;
    m2.attendee_count = 1;
    m2.organiser_name = "Pod y Gogledd – North";
    m2.location = "Canolfan Dinesig, Ystafell 3 – Café";
    rc = podd_calendar_invite (&m2, PODD_METHOD_REQUEST, NULL, "w-1@pod-north.example",
                               date, &out, &size, &reason);
    assert (rc == 0);
    for (size_t i = 0; i < size; i++)
        assert ((unsigned char) out [i] < 0x80);
    //  every header is ASCII, non-ASCII words are UTF-8 encoded-words
    char *headers = g_strndup (out, (gsize) (strstr (out, "\r\n\r\n") - out));
    assert (strstr (headers, "To: =?UTF-8?b?U2nDom4gTGzFt3I=?= <sian.llyr@health.example>"));
    assert (strstr (strstr (headers, "From: "), "=?UTF-8?") < strstr (headers, "<pod-north@"));
    assert (strstr (strstr (headers, "Subject: "), "=?UTF-8?") < strstr (headers, "To: "));
    assert (!strstr (headers, "=?windows") && !strstr (headers, "=?iso"));
    g_free (headers);
    s_view (out, size, &view);
    InternetAddress *who = internet_address_list_get_address (g_mime_message_get_to (view.message), 0);
    assert (streq (internet_address_get_name (who), "Siân Llŷr"));
    assert (strstr (g_mime_message_get_subject (view.message), "Ystafell 3 – Café"));
    assert (strstr (view.ics, "PARTSTAT=ACCEPTED;RSVP=TRUE;CN=Siân Llŷr:mailto:sian.llyr@health.example"));
    assert (s_has_line (view.ics, "LOCATION:Canolfan Dinesig\\, Ystafell 3 – Café\r"));
    assert (strstr (view.text, "Where: Canolfan Dinesig, Ystafell 3 – Café"));
    s_view_free (&view);
    free (out);

    //  Values that look like iCalendar syntax are escaped or quoted, never a new line
    podd_attendee_t tricky [] = {
        { "Smith; X-INJ=1: evil", "jo.smith@school.example", PODD_PARTSTAT_NEEDS_ACTION },
    };
    m2 = meeting;
    m2.attendees = tricky;
    m2.attendee_count = 1;
    m2.summary = "Meeting;X-INJ=1:evil";
    m2.location = "Hall\\nX-INJ:1";
    rc = podd_calendar_invite (&m2, PODD_METHOD_REQUEST, NULL, "t-1@pod-north.example",
                               date, &out, &size, &reason);
    assert (rc == 0);
    s_view (out, size, &view);
    assert (!s_has_line (view.ics, "X-INJ"));
    assert (!s_has_line (out, "X-INJ"));
    assert (strstr (view.ics, "CN=\"Smith; X-INJ=1: evil\":mailto:jo.smith@school.example"));
    s_view_free (&view);
    free (out);

    //  Refusals, CR/LF injection first: nothing is built
    podd_attendee_t bad [1];
    m2 = meeting;
    m2.attendees = bad;
    m2.attendee_count = 1;
    const char *bad_addresses [] = {
        "jo@school.example\r\nBcc: evil@x.example", "jo@school.example\nX-INJ:1",
        "jo@school.example\r", "jo reed@school.example", "\"jo\"@school.example",
        "<jo@school.example>", "jo@school.example>", "jo", "@school.example", "jo@",
        "jo@school", "jo@@school.example", "jo@sch ool.example", "jo@-school.example",
        "jo@school..example", ".jo@school.example", "jo..reed@school.example",
        "jo@school.example\t", "jö@school.example", "jo@school.example;X-INJ=1", "", NULL
    };
    for (int i = 0; bad_addresses [i]; i++) {
        bad [0] = (podd_attendee_t) { "Jo Reed", bad_addresses [i], PODD_PARTSTAT_NEEDS_ACTION };
        s_expect_invalid (&m2, PODD_METHOD_REQUEST, NULL, "attendee 1 address is not a valid");
    }
    bad [0] = (podd_attendee_t) { "Jo Reed", NULL, PODD_PARTSTAT_NEEDS_ACTION };
    s_expect_invalid (&m2, PODD_METHOD_REQUEST, NULL, "attendee 1 address is not a valid");
    bad [0] = (podd_attendee_t) { "Jo\r\nBcc: evil@x.example", "jo@school.example", 0 };
    s_expect_invalid (&m2, PODD_METHOD_REQUEST, NULL, "attendee 1 name has a line break");
    bad [0] = (podd_attendee_t) { "Jo\nX-INJ:1", "jo@school.example", 0 };
    s_expect_invalid (&m2, PODD_METHOD_REQUEST, NULL, "attendee 1 name has a line break");
    bad [0] = (podd_attendee_t) { "Jo\x01", "jo@school.example", 0 };
    s_expect_invalid (&m2, PODD_METHOD_REQUEST, NULL, "attendee 1 name has a control character");
    bad [0] = (podd_attendee_t) { "Jo \xc2\x85 Reed", "jo@school.example", 0 };
    s_expect_invalid (&m2, PODD_METHOD_REQUEST, NULL, "attendee 1 name has a line break");
    bad [0] = (podd_attendee_t) { "Jo \"JR\" Reed", "jo@school.example", 0 };
    s_expect_invalid (&m2, PODD_METHOD_REQUEST, NULL, "attendee 1 name has a double quote");
    bad [0] = (podd_attendee_t) { "Jo \xff Reed", "jo@school.example", 0 };
    s_expect_invalid (&m2, PODD_METHOD_REQUEST, NULL, "attendee 1 name is not valid UTF-8");
    bad [0] = (podd_attendee_t) { "", "jo@school.example", 0 };
    s_expect_invalid (&m2, PODD_METHOD_REQUEST, NULL, "attendee 1 name is missing");
    bad [0] = (podd_attendee_t) { "Jo", "jo@school.example", (podd_partstat_t) 9 };
    s_expect_invalid (&m2, PODD_METHOD_REQUEST, NULL, "PARTSTAT is out of range");
    bad [0] = (podd_attendee_t) { "Pod", "POD-North@pod-north.example", 0 };
    s_expect_invalid (&m2, PODD_METHOD_REQUEST, NULL, "organiser must not be an attendee");
    bad [0] = (podd_attendee_t) { "Jo Reed", "jo@school.example", 0 };
    s_expect_invalid (&m2, PODD_METHOD_REQUEST, "jo@school.example", "From address must not be an attendee");
    s_expect_invalid (&m2, PODD_METHOD_REQUEST, "podd@x.example\r\nBcc: e@x.example", "From address is not a valid");

    podd_attendee_t twice [] = {
        { "Jo Reed", "jo@school.example", 0 }, { "Jo R", "JO@school.example", 0 } };
    podd_meeting_t m3 = meeting;
    m3.attendees = twice;
    m3.attendee_count = 2;
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "listed twice");
    m3 = meeting;
    m3.location = "Room 1\r\nX-INJ:1";
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "location has a line break");
    m3.location = "Room 1\nBcc: evil@x.example";
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "location has a line break");
    m3.location = NULL;
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "location is missing");
    m3 = meeting;
    m3.summary = "Meeting\r\nBcc: evil@x.example";
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "summary has a line break");
    m3 = meeting;
    m3.organiser_name = "North\r\nX-INJ: 1";
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "organiser name has a line break");
    m3 = meeting;
    m3.organiser_address = "pod@x.example\r\nX-INJ: 1";
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "organiser address is not a valid");
    m3 = meeting;
    m3.contact = "Call us\r\nX-INJ: 1";
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "contact line has a line break");
    m3 = meeting;
    m3.cover = "Call\tus";
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "cover line has a control character");
    m3 = meeting;
    m3.uid = "uid\r\nX-INJ:1";
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "UID must be");
    m3.uid = "";
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "UID must be");
    m3 = meeting;
    m3.end = m3.start;
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "end after it starts");
    m3.end = m3.start - 60;
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "end after it starts");
    m3 = meeting;
    m3.sequence = -1;
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "SEQUENCE is negative");
    m3 = meeting;
    m3.attendee_count = 0;
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "no attendees");
    m3.attendee_count = PODD_CALENDAR_MAX_ATTENDEES + 1;
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "too many attendees");
    m3 = meeting;
    char long_text [MAX_LOCATION + 2];
    memset (long_text, 'x', sizeof long_text - 1);
    long_text [sizeof long_text - 1] = 0;
    m3.location = long_text;
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "location is too long");
    m3 = meeting;
    m3.summary = long_text;
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "summary is too long");
    m3 = meeting;
    m3.start = -1;
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "out of range");
    m3 = meeting;
    s_expect_invalid (&m3, PODD_METHOD_CANCEL, NULL, "a CANCEL must carry a CANCELLED meeting");
    m3.status = PODD_MEETING_CANCELLED;
    s_expect_invalid (&m3, PODD_METHOD_REQUEST, NULL, "a REQUEST must carry a CONFIRMED meeting");
    s_expect_invalid (&m3, (podd_method_t) 7, NULL, "method is not REQUEST or CANCEL");
    m3 = meeting;
    const char *bad_ids [] = { NULL, "", "no-at-sign", "a@b\r\nX-INJ: 1", "<a@b", "a b@c", "a@b@c", "@b", NULL };
    for (int i = 0; i < 8; i++) {
        rc = podd_calendar_invite (&m3, PODD_METHOD_REQUEST, NULL, bad_ids [i], date,
                                   &out, &size, &reason);
        assert (rc == -1 && out == NULL && strstr (reason, "Message-ID"));
    }

    //  An online meeting: RFC 7986 CONFERENCE, the link in the text, the
    //  DESCRIPTION, and the LOCATION when there is no room
    podd_meeting_t online = meeting;
    online.location = "";
    online.online = "https://meet.example/j/123?pwd=x-1";
    rc = podd_calendar_invite (&online, PODD_METHOD_REQUEST, NULL, "<on-1@pod-north.example>", date,
                               &out, &size, &reason);
    assert (rc == 0);
    s_view (out, size, &view);
    assert (strstr (view.ics, "\r\nCONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL=Join online:"
                              "https://meet.example/j/123?pwd=x-1\r\n"));
    assert (strstr (view.ics, "\r\nLOCATION:https://meet.example/j/123?pwd=x-1\r\n"));
    assert (strstr (view.ics, "DESCRIPTION:Join online: https://meet.example/j/123?pwd=x-1\\n"));
    assert (strstr (view.text, "Where: online"));
    assert (strstr (view.text, "Join online: https://meet.example/j/123?pwd=x-1"));
    assert (g_str_has_suffix (g_mime_message_get_subject (view.message), ", online"));
    s_view_free (&view);
    free (out);
    online.location = "Room 2, County Hall";          //  hybrid
    rc = podd_calendar_invite (&online, PODD_METHOD_REQUEST, NULL, "<on-2@pod-north.example>", date,
                               &out, &size, &reason);
    assert (rc == 0);
    s_view (out, size, &view);
    assert (strstr (view.ics, "\r\nLOCATION:Room 2\\, County Hall\r\n"));
    assert (strstr (view.ics, "\r\nCONFERENCE;VALUE=URI;"));
    assert (strstr (view.text, "Where: Room 2, County Hall, or online"));
    s_view_free (&view);
    free (out);
    const char *bad_urls [] = { "http://meet.example/j/1", "javascript:alert(1)", "https://",
                                "https:///x", "https://meet.example/a b", "https://x\r\nX-INJ:1",
                                "https://x\"y", "mailto:a@b.example", NULL };
    for (int i = 0; bad_urls [i]; i++) {
        assert (!podd_calendar_valid_url (bad_urls [i]));
        online.online = bad_urls [i];
        s_expect_invalid (&online, PODD_METHOD_REQUEST, NULL, "online link");
    }
    online.online = NULL;
    online.location = "";
    s_expect_invalid (&online, PODD_METHOD_REQUEST, NULL, "location is missing");

    //  Replies: Gmail-like, nested multipart with an inline text/calendar
    //  (base64) and an application/ics copy
    char *ics_reply = g_strdup (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar//EN\r\n"
        "METHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:podd-7-1@pod-north.example\r\nSEQUENCE:2\r\n"
        "DTSTAMP:20260713T081500Z\r\nDTSTART:20260715T090000Z\r\n"
        "ORGANIZER;CN=North pod:mailto:pod-north@pod-north.example\r\n"
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=TENTATIVE;CN=Siân\r\n"
        " Llŷr:MAILTO:Sian.Llyr@Health.example\r\nSUMMARY:Placement stability meeting\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n");
    gchar *b64 = g_base64_encode ((const guchar *) ics_reply, strlen (ics_reply));
    char *gmail = g_strdup_printf (
        "From: =?UTF-8?B?U2nDom4gTGzFt3I=?= <Sian.Llyr@HEALTH.example>\r\n"
        "To: pod-north@pod-north.example\r\n"
        "Subject: Tentatively accepted\r\n"
        "Message-ID: <CAF+abc123@mail.health.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
        "--outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n"
        "--inner\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nSiân has tentatively accepted.\r\n"
        "--inner\r\nContent-Type: text/calendar; charset=\"UTF-8\"; method=REPLY\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--inner--\r\n"
        "--outer\r\nContent-Type: application/ics; name=\"invite.ics\"\r\n"
        "Content-Disposition: attachment; filename=\"invite.ics\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--outer--\r\n", b64, b64);
    podd_calendar_reply_t *reply = NULL;
    rc = podd_calendar_parse_reply (gmail, strlen (gmail), &reply, &reason);
    assert (rc == 0 && reply);
    assert (streq (reply->uid, "podd-7-1@pod-north.example"));
    assert (reply->sequence == 2);
    assert (reply->dtstamp == s_utc (2026, 7, 13, 8, 15));
    assert (streq (reply->attendee, "sian.llyr@health.example"));
    assert (reply->partstat == PODD_PARTSTAT_TENTATIVE);
    assert (streq (podd_calendar_partstat_name (reply->partstat), "TENTATIVE"));
    assert (streq (reply->organiser, "pod-north@pod-north.example"));
    assert (streq (reply->from, "sian.llyr@health.example"));
    assert (streq (reply->message_id, "CAF+abc123@mail.health.example"));
    podd_calendar_reply_destroy (&reply);
    assert (reply == NULL);
    podd_calendar_reply_destroy (&reply);
    g_free (gmail);

    //  Only an attached .ics (application/octet-stream), Latin-1 charset
    char *attached = g_strdup_printf (
        "From: jo.reed@school.example\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
        "--b\r\nContent-Type: application/octet-stream; charset=ISO-8859-1\r\n"
        "Content-Disposition: attachment; filename=reply.ICS\r\n\r\n"
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        "UID:podd-7-1@pod-north.example\r\nDTSTAMP:20260713T080000Z\r\n"
        "ATTENDEE;PARTSTAT=DECLINED;CN=Jos\xe9:mailto:jo.reed@school.example\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n--b--\r\n");
    rc = podd_calendar_parse_reply (attached, strlen (attached), &reply, &reason);
    assert (rc == 0);
    assert (reply->sequence == 0);                  //  absent: 0
    assert (reply->partstat == PODD_PARTSTAT_DECLINED);
    assert (reply->organiser == NULL);              //  absent (Outlook.com)
    assert (reply->message_id == NULL);
    assert (streq (reply->from, "jo.reed@school.example"));
    podd_calendar_reply_destroy (&reply);
    g_free (attached);

    //  The simplest Outlook-like reply, single text/calendar body
    char *simple = s_reply_message ("Jo.Reed@school.example", REPLY_OK_LINES, "REPLY");
    rc = podd_calendar_parse_reply (simple, strlen (simple), &reply, &reason);
    assert (rc == 0 && reply->partstat == PODD_PARTSTAT_ACCEPTED && reply->sequence == 1);
    assert (streq (reply->attendee, "jo.reed@school.example"));
    assert (streq (reply->from, "jo.reed@school.example"));
    assert (streq (reply->message_id, "reply-1@school.example"));
    podd_calendar_reply_destroy (&reply);
    g_free (simple);

    //  Reply refusals, each with its own reason
    s_expect_refusal ("", 0, "message is empty");
    const char garbage [] = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x01\x02";
    s_expect_refusal (garbage, sizeof garbage - 1, "not an email message");
    const char plain_only [] = "From: jo@school.example\r\nSubject: hi\r\n\r\nSee you there.\r\n";
    s_expect_refusal (plain_only, strlen (plain_only), "no calendar part");
    const char not_ical [] = "From: jo@school.example\r\nContent-Type: text/calendar; method=REPLY\r\n"
                             "\r\nThis is not a calendar at all.\r\n";
    s_expect_refusal (not_ical, strlen (not_ical), "is not iCalendar");
    const char vevent_only [] = "From: jo@school.example\r\nContent-Type: text/calendar\r\n\r\n"
                                "BEGIN:VEVENT\r\n" REPLY_OK_LINES "END:VEVENT\r\n";
    s_expect_refusal (vevent_only, strlen (vevent_only), "not one VCALENDAR");
    const char bad_utf8 [] = "From: jo@school.example\r\nContent-Type: text/calendar; charset=utf-8\r\n\r\n"
                             "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nX-A:\xff\xfe\r\nEND:VCALENDAR\r\n";
    s_expect_refusal (bad_utf8, strlen (bad_utf8), "not valid UTF-8");
    s_expect_refusal_lines (REPLY_OK_LINES, "REQUEST", "METHOD is not REPLY");
    s_expect_refusal_lines (REPLY_OK_LINES, "CANCEL", "METHOD is not REPLY");
    s_expect_refusal_lines (REPLY_OK_LINES "ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@school.example\r\n",
                            "REPLY", "several ATTENDEEs");
    s_expect_refusal_lines ("UID:u1@x.example\r\nDTSTAMP:20260713T080000Z\r\n", "REPLY", "no ATTENDEE");
    const char *partstats [] = { "NEEDS-ACTION", "DELEGATED", "COMPLETED", "X-MAYBE", NULL };
    for (int i = 0; partstats [i]; i++) {
        char *lines = g_strdup_printf ("UID:u1@x.example\r\nDTSTAMP:20260713T080000Z\r\n"
                                       "ATTENDEE;PARTSTAT=%s:mailto:jo@school.example\r\n", partstats [i]);
        s_expect_refusal_lines (lines, "REPLY", "PARTSTAT is not ACCEPTED");
        g_free (lines);
    }
    s_expect_refusal_lines ("UID:u1@x.example\r\nDTSTAMP:20260713T080000Z\r\n"
                            "ATTENDEE:mailto:jo@school.example\r\n", "REPLY", "ATTENDEE has no PARTSTAT");
    s_expect_refusal_lines ("DTSTAMP:20260713T080000Z\r\n"
                            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:jo@school.example\r\n", "REPLY", "no UID");
    s_expect_refusal_lines ("UID:u1@x.example\r\nUID:u2@x.example\r\nDTSTAMP:20260713T080000Z\r\n"
                            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:jo@school.example\r\n", "REPLY", "several UIDs");
    s_expect_refusal_lines ("UID:u1@x.example\r\n"
                            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:jo@school.example\r\n", "REPLY", "no DTSTAMP");
    s_expect_refusal_lines ("UID:u1@x.example\r\nDTSTAMP:20260713T080000\r\n"
                            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:jo@school.example\r\n", "REPLY", "DTSTAMP is not a UTC");
    s_expect_refusal_lines ("UID:u1@x.example\r\nDTSTAMP:20260713T080000Z\r\nSEQUENCE:-3\r\n"
                            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:jo@school.example\r\n", "REPLY", "SEQUENCE is malformed");
    s_expect_refusal_lines ("UID:u1@x.example\r\nDTSTAMP:20260713T080000Z\r\n"
                            "ATTENDEE;PARTSTAT=ACCEPTED:jo@school.example\r\n", "REPLY", "not a valid mailto");
    s_expect_refusal_lines ("UID:u1@x.example\r\nDTSTAMP:20260713T080000Z\r\n"
                            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:jo@school.example\\nX-INJ:1\r\n",
                            "REPLY", "not a valid mailto");
    s_expect_refusal_lines ("UID:u1@x.example\r\nDTSTAMP:20260713T080000Z\r\n"
                            "ORGANIZER:mailto:pod north\r\n"
                            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:jo@school.example\r\n", "REPLY", "ORGANIZER is not");
    //  libical turns unparsable lines into X-LIC-ERROR: a broken second
    //  ATTENDEE must not leave a reply that looks like it has one
    s_expect_refusal_lines (REPLY_OK_LINES "ATTENDEE;PARTSTAT=DECLINED;X:mailto:b@school.example\r\n",
                            "REPLY", "several ATTENDEEs");
    s_expect_refusal_lines (REPLY_OK_LINES "attendee;partstat=declined:mailto:b@school.example\r\n",
                            "REPLY", "several ATTENDEEs");
    //  ... nor a broken read property one that looks sound
    const char *stamp_uid = "UID:podd-7-1@pod-north.example\r\nDTSTAMP:20260713T080000Z\r\n";
    const char *broken [][2] = {
        { "ATTENDEE;PARTSTAT=ACCEPTED;X:mailto:jo@school.example\r\n", "ATTENDEE is malformed" },
        { "ATTENDEE;PARTSTAT=ACCEPTED;CN=Jo Reed\r\n", "ATTENDEE is malformed" },
        { "ATTENDEE;PARTSTAT=ACCEPTED;CN=\"Jo:mailto:jo@school.example\r\n", "ATTENDEE is malformed" },
        { "ATTENDEE:\r\n", "ATTENDEE is malformed" },
        { "ATTENDEE;PARTSTAT=ACCEPTED:mailto:jo@school.example\r\nSEQUENCE:abc\r\n", "SEQUENCE is malformed" },
        { "ATTENDEE;PARTSTAT=ACCEPTED:mailto:jo@school.example\r\nSEQUENCE:\r\n", "SEQUENCE is malformed" },
        { "ATTENDEE;PARTSTAT=ACCEPTED:mailto:jo@school.example\r\nSEQUENCE:1\r\nSEQUENCE:2\r\n",
          "several SEQUENCEs" },
        { "ATTENDEE;PARTSTAT=ACCEPTED:mailto:jo@school.example\r\nSEQUENCE;X:1\r\n", "SEQUENCE is malformed" },
        { "ATTENDEE;PARTSTAT=ACCEPTED:mailto:jo@school.example\r\nDTSTAMP:notadate\r\n", "several DTSTAMPs" },
        { NULL, NULL } };
    for (int i = 0; broken [i][0]; i++) {
        char *lines = g_strconcat (stamp_uid, broken [i][0], NULL);
        s_expect_refusal_lines (lines, "REPLY", broken [i][1]);
        g_free (lines);
    }
    s_expect_refusal_lines ("UID:\r\nDTSTAMP:20260713T080000Z\r\n"
                            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:jo@school.example\r\n", "REPLY", "UID is malformed");
    s_expect_refusal_lines ("UID:u1@x.example\r\nDTSTAMP:2026\r\n"
                            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:jo@school.example\r\n", "REPLY", "DTSTAMP is malformed");
    s_expect_refusal_lines (REPLY_OK_LINES "ORGANIZER;CN=Pod:\r\n", "REPLY", "ORGANIZER is not");
    char *bad_method = g_strdup ("From: jo@school.example\r\nContent-Type: text/calendar\r\n\r\n"
                                 "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:\r\nBEGIN:VEVENT\r\n" REPLY_OK_LINES
                                 "END:VEVENT\r\nEND:VCALENDAR\r\n");
    s_expect_refusal (bad_method, strlen (bad_method), "METHOD is malformed");
    g_free (bad_method);

    //  Damage on properties podd does not read is no reason to refuse:
    //  empty values as Outlook.com and Gmail send them (libical 3.0 makes
    //  each an X-LIC-ERROR), a bad DTSTART, a stray line, an empty X-
    //  property, an ATTENDEE in a VALARM
    char *lenient = s_reply_message ("Jo.Reed@school.example", REPLY_OK_LINES
        "LOCATION:\r\nLOCATION;LANGUAGE=en-GB:\r\nDESCRIPTION:\r\nCOMMENT;LANGUAGE=en-GB:\r\n"
        "DTSTART:notadate\r\nthis line has no colon\r\nX-MICROSOFT-CDO-INTENDEDSTATUS:\r\n"
        "SUMMARY;LANGUAGE=en-GB:Accepted: Placement\r\n stability meeting\r\n"
        "BEGIN:VALARM\r\nACTION:EMAIL\r\nATTENDEE:mailto:other@x.example\r\nTRIGGER:\r\nEND:VALARM\r\n",
        "REPLY");
    rc = podd_calendar_parse_reply (lenient, strlen (lenient), &reply, &reason);
    assert (rc == 0 && reply->fault == NULL);
    assert (streq (reply->attendee, "jo.reed@school.example") && reply->sequence == 1);
    assert (reply->partstat == PODD_PARTSTAT_ACCEPTED);
    podd_calendar_reply_destroy (&reply);
    g_free (lenient);

    //  A reply with a fault still says who answered, so that the caller
    //  can refuse a spoofed or uninvited one as such
    char *faulty = s_reply_message ("jo.reed@school.example", "UID:podd-7-1@pod-north.example\r\n"
        "SEQUENCE:x\r\nATTENDEE;PARTSTAT=X-MAYBE:MAILTO:Jo.Reed@School.example\r\n", "REPLY");
    rc = podd_calendar_parse_reply (faulty, strlen (faulty), &reply, &reason);
    assert (rc == 0 && reply->fault && strstr (reply->fault, "PARTSTAT"));
    assert (streq (reply->uid, "podd-7-1@pod-north.example"));
    assert (streq (reply->attendee, "jo.reed@school.example"));
    assert (streq (reply->from, "jo.reed@school.example"));
    podd_calendar_reply_destroy (&reply);
    g_free (faulty);
    s_expect_refusal_lines (REPLY_OK_LINES "END:VEVENT\r\nBEGIN:VEVENT\r\n" REPLY_OK_LINES,
                            "REPLY", "several VEVENTs");
    char *no_event = g_strdup ("From: jo@school.example\r\nContent-Type: text/calendar\r\n\r\n"
                               "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n");
    s_expect_refusal (no_event, strlen (no_event), "no VEVENT");
    g_free (no_event);
    char *no_method = g_strdup ("From: jo@school.example\r\nContent-Type: text/calendar\r\n\r\n"
                                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n" REPLY_OK_LINES
                                "END:VEVENT\r\nEND:VCALENDAR\r\n");
    s_expect_refusal (no_method, strlen (no_method), "no METHOD");
    g_free (no_method);
    char *no_from = s_reply_message ("", REPLY_OK_LINES, "REPLY");
    s_expect_refusal (no_from, strlen (no_from), "no From");
    g_free (no_from);
    char *bad_from = s_reply_message ("jo@school", REPLY_OK_LINES, "REPLY");
    s_expect_refusal (bad_from, strlen (bad_from), "From is not a valid");
    g_free (bad_from);

    g_free (ics_reply);
    g_free (b64);
    if (verbose)
        printf ("OK\n");
}
