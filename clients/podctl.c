/*  podctl.c - command-line client for podd. See docs/podctl.1.

    podctl [-e ENDPOINT] [-k KEYFILE] [-s SERVERCERT] [-t SECONDS] [--json]
           [--insecure] COMMAND [ARGS]

    Exit status: 0 success, 1 usage or local error, 2 error reply from
    podd, 3 no answer within the timeout (or interrupted); ingest-mail
    exits 75 (EX_TEMPFAIL) instead when podd does not answer or answers
    503, so that the mail server keeps the message and tries again.

    `podctl ingest-mail` is what a mail server runs for each message that
    reaches the pod's mailbox: it reads the message on standard input and
    hands it to podd, which accepts it only as a valid meeting reply.

    Commands are described by one table (s_commands): their words,
    positional arguments, options and the PODP command they send; one
    generic parser turns the arguments into the request body.
*/

#include "podclient.h"
#include <libical/ical.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_OK         0
#define EXIT_USAGE      1       //  also local errors: keys, files
#define EXIT_REPLY      2       //  podd answered with an error status
#define EXIT_NOANSWER   3       //  no answer within the timeout
#define EXIT_TEMPFAIL   75      //  ingest-mail: try again later (sysexits EX_TEMPFAIL)

#define DEFAULT_ENDPOINT    "tcp://127.0.0.1:5670"
#define DEFAULT_KEYDIR      "var/keys"
#define DEFAULT_SERVERCERT  "var/keys/podd.cert"
#define DEFAULT_TIMEOUT     5.0
#define INGEST_TIMEOUT      30.0    //  ingest-mail's default: podd parses a whole mail
#define INGEST_MAX          786432  //  octets of mail; base64 makes PODP_INGEST_MESSAGE_MAX
#define MAX_TIMEOUT         86400.0
#define MAX_ID              9007199254740991LL     //  2^53 - 1

#define GLOBAL_USAGE \
    "podctl [-e ENDPOINT] [-k KEYFILE] [-s SERVERCERT] [-t SECONDS] [--json] [--insecure] COMMAND [ARGS]"

typedef struct {
    const char *endpoint;
    const char *keyfile;
    const char *servercert;
    double timeout;             //  seconds, as given
    int timeout_ms;
    bool timeout_given;         //  -t on the command line
    bool json;
    bool insecure;
    char keybuf [PATH_MAX];     //  default key file path
} config_t;

//  --------------------------------------------------------------------------
//  Command table

typedef enum {
    O_VALUE,            //  --name VALUE             field = "VALUE"
    O_NUMBER,           //  --name N                 field = N (an id, 0..2^53-1)
    O_FLAG,             //  --name                   field = true
    O_MULTI,            //  --name VALUE, repeatable field = ["VALUE", ...]
    O_SCOPE,            //  --name                   scope = opt.scope
    O_SCOPE_VALUE,      //  --name VALUE             scope = opt.scope, field = "VALUE"
    O_SCOPE_OPTIONAL    //  --name [VALUE]           scope = opt.scope, field = "VALUE" if given
} opt_kind_t;

typedef struct {
    const char *name;           //  without the leading "--"
    const char *field;          //  request body field
    opt_kind_t kind;
    bool required;
    const char *scope;          //  for O_SCOPE*: value of "scope"
} optdef_t;

typedef struct {
    const char *field;          //  request body field
    const char *metavar;        //  for messages: "REF"
    bool integer;               //  task ids
} posdef_t;

typedef struct _cmddef_t cmddef_t;
typedef int (handler_fn) (const cmddef_t *cmd, config_t *cfg, json_t *args);
typedef void (printer_fn) (json_t *data);

struct _cmddef_t {
    const char *group;          //  "case", or NULL for a one-word command
    const char *verb;           //  "open", or the one word
    const char *usage;          //  after "podctl "
    const char *summary;
    const char *command;        //  PODP command (NULL when handled locally)
    handler_fn *handler;        //  NULL = send command, print with printer
    printer_fn *print;
    posdef_t pos [3];           //  terminated by field NULL
    optdef_t opts [9];          //  terminated by name NULL
};

static int s_keygen (const cmddef_t *cmd, config_t *cfg, json_t *args);
static int s_watch (const cmddef_t *cmd, config_t *cfg, json_t *args);
static int s_ingest_mail (const cmddef_t *cmd, config_t *cfg, json_t *args);
static int s_report (const cmddef_t *cmd, config_t *cfg, json_t *args);
static void s_print_leave_service (json_t *data);
static void s_print_ping (json_t *data);
static void s_print_backup (json_t *data);
static void s_print_member (json_t *data);
static void s_print_member_list (json_t *data);
static void s_print_pod (json_t *data);
static void s_print_pod_list (json_t *data);
static void s_print_case (json_t *data);
static void s_print_case_list (json_t *data);
static void s_print_entry (json_t *data);
static void s_print_caseload (json_t *data);
static void s_print_task (json_t *data);
static void s_print_task_list (json_t *data);
static void s_print_absence (json_t *data);
static void s_print_calendar (json_t *data);
static void s_print_leave_list (json_t *data);
static void s_print_cover_plan (json_t *data);
static void s_print_cover_line (json_t *data);
static void s_print_cover_move (json_t *data);
static void s_print_contact (json_t *data);
static void s_print_load (json_t *data);
static void s_print_digest (json_t *data);
static void s_print_mail_queue (json_t *data);
static void s_print_mail_item (json_t *data);
static void s_print_reminders (json_t *data);
static void s_print_partner (json_t *data);
static void s_print_partner_list (json_t *data);
static void s_print_meeting (json_t *data);
static void s_print_case_event (json_t *data);
static void s_print_standards (json_t *data);
static void s_print_audit (json_t *data);
static void s_print_handover (json_t *data);
static void s_print_handover_note (json_t *data);
static void s_print_notices (json_t *data);
static void s_print_task_kinds (json_t *data);
static void s_print_requests (json_t *data);
static void s_print_case_check (json_t *data);
static void s_print_transfer (json_t *data);
static void s_print_transfers (json_t *data);

#define POS_REF     { "ref", "REF", false }
#define POS_TASK    { "task", "ID", true }
#define POS_ABSENCE { "absence", "ID", true }
#define POS_MEETING { "task", "TASK", true }
#define OPT_REASON  { "reason", "reason", O_VALUE, false, NULL }
#define OPT_RETURN  { "return", "return", O_VALUE, false, NULL }
#define OPT_POD     { "pod", "pod", O_VALUE, false, NULL }
#define OPT_FROM    { "from", "from", O_VALUE, false, NULL }
#define OPT_PAGE    { "limit", "limit", O_NUMBER, false, NULL }, { "after", "after", O_VALUE, false, NULL }
#define OPT_TO      { "to", "to", O_VALUE, false, NULL }
#define OPT_ABSENCE { "absence", "absence", O_NUMBER, false, NULL }

static const cmddef_t s_commands [] = {
    { NULL, "keygen", "keygen NAME [--dir DIR]",
      "create a key pair for member NAME in DIR (default " DEFAULT_KEYDIR "); no server needed",
      NULL, s_keygen, NULL,
      { { "name", "NAME", false } },
      { { "dir", "dir", O_VALUE, false, NULL } } },
    { NULL, "ping", "ping", "check that podd answers", "PING", NULL, s_print_ping, {}, {} },
    { NULL, "whoami", "whoami", "show the member your key maps to",
      "WHOAMI", NULL, s_print_member, {}, {} },
    { NULL, "backup", "backup FILE",
      "copy the database into FILE, a new file (mode 0600) on podd's host (admin)",
      "BACKUP", NULL, s_print_backup, { { "file", "FILE", false } }, {} },
    { "pod", "list", "pod list", "list pods", "POD-LIST", NULL, s_print_pod_list, {}, {} },
    { "pod", "show", "pod show POD", "show a pod and its members",
      "POD-SHOW", NULL, s_print_pod, { { "pod", "POD", false } }, {} },
    { "member", "list", "member list [--pod P] [--limit N] [--after CURSOR]",
      "list members, of one pod or all, a page at a time",
      "MEMBER-LIST", NULL, s_print_member_list, {},
      { { "pod", "pod", O_VALUE, false, NULL }, OPT_PAGE } },
    { "member", "show", "member show H", "show a member",
      "MEMBER-SHOW", NULL, s_print_member, { { "member", "H", false } }, {} },
    { "member", "add",
      "member add H --name N --email E --role R [--pod P] [--skills S] [--pattern P] [--admin]",
      "add a member",
      "MEMBER-ADD", NULL, s_print_member, { { "handle", "H", false } },
      { { "name", "name", O_VALUE, true, NULL },
        { "email", "email", O_VALUE, true, NULL },
        { "role", "role", O_VALUE, true, NULL },
        { "pod", "pod", O_VALUE, false, NULL },
        { "skills", "skills", O_VALUE, false, NULL },
        { "pattern", "pattern", O_VALUE, false, NULL },
        { "admin", "admin", O_FLAG, false, NULL } } },
    { "case", "open",
      "case open REF --kind K [--pod P] [--lead H] [--coworker H]... [--summary S]",
      "open a case (kind child or carer-household)",
      "CASE-OPEN", NULL, s_print_case, { POS_REF },
      { { "kind", "kind", O_VALUE, true, NULL },
        { "pod", "pod", O_VALUE, false, NULL },
        { "lead", "lead", O_VALUE, false, NULL },
        { "coworker", "coworkers", O_MULTI, false, NULL },
        { "summary", "summary", O_VALUE, false, NULL } } },
    { "case", "list", "case list [--pod P] [--member H] [--status S] [--limit N] [--after CURSOR]",
      "list cases (status open, closed or all), a page at a time",
      "CASE-LIST", NULL, s_print_case_list, {},
      { { "pod", "pod", O_VALUE, false, NULL },
        { "member", "member", O_VALUE, false, NULL },
        { "status", "status", O_VALUE, false, NULL }, OPT_PAGE } },
    { "case", "show", "case show REF [--limit N] [--after CURSOR]",
      "show a case and its chronology: the newest entries, a page at a time going back",
      "CASE-SHOW", NULL, s_print_case, { POS_REF }, { OPT_PAGE } },
    { "case", "allocate", "case allocate REF --lead H [--coworker H]...",
      "allocate a case to a lead practitioner and co-workers",
      "CASE-ALLOCATE", NULL, s_print_case, { POS_REF },
      { { "lead", "lead", O_VALUE, true, NULL },
        { "coworker", "coworkers", O_MULTI, false, NULL } } },
    { "case", "close", "case close REF [--reason R]", "close a case",
      "CASE-CLOSE", NULL, s_print_case, { POS_REF }, { OPT_REASON } },
    { "case", "note", "case note REF TEXT [--kind K] [--date D] [--with H]...",
      "add a chronology entry (kind note, concern, allegation, action, event or contact: "
      "--with names who had contact, default you)",
      "CASE-NOTE", NULL, s_print_entry, { POS_REF, { "text", "TEXT", false } },
      { { "kind", "kind", O_VALUE, false, NULL },
        { "date", "date", O_VALUE, false, NULL },
        { "with", "with", O_MULTI, false, NULL } } },
    { "case", "event",
      "case event REF --type T --date D [--note N] [--dob D] [--family-and-friends]"
      " [--outcome nfa|s47] [--carer REF]",
      "record a case event on day D; podd creates the tasks its practice standards "
      "ask for (the types T are listed in podctl(1))",
      "CASE-EVENT", NULL, s_print_case_event, { POS_REF },
      { { "type", "type", O_VALUE, true, NULL },
        { "date", "date", O_VALUE, true, NULL },
        { "note", "note", O_VALUE, false, NULL },
        { "dob", "dob", O_VALUE, false, NULL },
        { "family-and-friends", "family_and_friends", O_FLAG, false, NULL },
        { "outcome", "outcome", O_VALUE, false, NULL },
        { "carer", "carer", O_VALUE, false, NULL } } },
    { "case", "event-correct", "case event-correct EVENT --date D",
      "correct the date of a case event; open tasks it created are given new due dates",
      "CASE-EVENT-CORRECT", NULL, s_print_case_event, { { "event", "EVENT", true } },
      { { "date", "date", O_VALUE, true, NULL } } },
    { "case", "check", "case check REF [--since D] [--ask [--due D] | --record]",
      "check a case's chronology before it changes hands; the manager asks the lead to complete it or records the gaps",
      "CASE-CHECK", NULL, s_print_case_check, { POS_REF },
      { { "since", "since", O_VALUE, false, NULL }, { "ask", "ask", O_FLAG, false, NULL },
        { "due", "due", O_VALUE, false, NULL }, { "record", "record", O_FLAG, false, NULL } } },
    { "case", "transfer",
      "case transfer REF --to-pod P [--lead H] [--visit D] [--location L] [--note N] [--side S]",
      "ask to move a case to another pod (team manager of either pod); both managers must agree",
      "CASE-TRANSFER", NULL, s_print_transfer, { POS_REF },
      { { "to-pod", "to_pod", O_VALUE, true, NULL }, { "lead", "lead", O_VALUE, false, NULL },
        { "visit", "visit", O_VALUE, false, NULL }, { "location", "location", O_VALUE, false, NULL },
        { "note", "note", O_VALUE, false, NULL }, { "side", "side", O_VALUE, false, NULL } } },
    { "case", "transfer-approve",
      "case transfer-approve ID [--lead H] [--visit D] [--location L] [--record-gaps | --ask [--due D]] [--side S]",
      "agree to a case transfer; when both managers agree the case moves, with a joint handover visit",
      "CASE-TRANSFER-APPROVE", NULL, s_print_transfer, { { "transfer", "ID", true } },
      { { "lead", "lead", O_VALUE, false, NULL }, { "visit", "visit", O_VALUE, false, NULL },
        { "location", "location", O_VALUE, false, NULL }, { "record-gaps", "record", O_FLAG, false, NULL },
        { "ask", "ask", O_FLAG, false, NULL }, { "due", "due", O_VALUE, false, NULL },
        { "side", "side", O_VALUE, false, NULL } } },
    { "case", "transfer-refuse", "case transfer-refuse ID --reason R [--side S]",
      "refuse (or withdraw) a case transfer still pending",
      "CASE-TRANSFER-REFUSE", NULL, s_print_transfer, { { "transfer", "ID", true } },
      { { "reason", "reason", O_VALUE, true, NULL }, { "side", "side", O_VALUE, false, NULL } } },
    { "case", "transfers",
      "case transfers [--pod P] [--status pending|done|refused|all] [--limit N] [--after CURSOR]",
      "case transfers from or to a pod (default: pending), newest first, with the chronology "
      "check of each pending one",
      "CASE-TRANSFERS", NULL, s_print_transfers, {},
      { OPT_POD, { "status", "status", O_VALUE, false, NULL }, OPT_PAGE } },
    { "case", "contact", "case contact REF [--date D]",
      "who to contact about a case today (or on day D): lead, cover, duty or manager",
      "CASE-CONTACT", NULL, s_print_contact, { POS_REF },
      { { "date", "date", O_VALUE, false, NULL } } },
    { NULL, "caseload", "caseload [--pod P]", "caseload per member",
      "CASELOAD", NULL, s_print_caseload, {},
      { { "pod", "pod", O_VALUE, false, NULL } } },
    { "task", "new", "task new CASE --kind K --title T [--due D] [--priority P] [--follow-up D] "
      "[--standard ID]",
      "create a task on a case; podd routes it (priority routine or urgent); --standard attaches "
      "a practice standard, so the report counts it",
      "TASK-NEW", NULL, s_print_task, { { "case", "CASE", false } },
      { { "kind", "kind", O_VALUE, true, NULL },
        { "title", "title", O_VALUE, true, NULL },
        { "due", "due", O_VALUE, false, NULL },
        { "priority", "priority", O_VALUE, false, NULL },
        { "follow-up", "follow_up", O_VALUE, false, NULL },
        { "standard", "standard", O_VALUE, false, NULL } } },
    { "task", "list",
      "task list [--mine | --pod [P] | --overdue | --case REF] [--limit N] [--after CURSOR]",
      "list tasks: yours, a pod's, overdue ones, or a case's, a page at a time",
      "TASK-LIST", NULL, s_print_task_list, {},
      { { "mine", NULL, O_SCOPE, false, "mine" },
        { "pod", "pod", O_SCOPE_OPTIONAL, false, "pod" },
        { "overdue", NULL, O_SCOPE, false, "overdue" },
        { "case", "case", O_SCOPE_VALUE, false, "case" }, OPT_PAGE } },
    { "task", "show", "task show ID", "show a task and its history",
      "TASK-SHOW", NULL, s_print_task, { POS_TASK }, {} },
    { "task", "accept", "task accept ID", "accept a task offered to you",
      "TASK-ACCEPT", NULL, s_print_task, { POS_TASK }, {} },
    { "task", "decline", "task decline ID --reason R", "decline a task offered to you",
      "TASK-DECLINE", NULL, s_print_task, { POS_TASK },
      { { "reason", "reason", O_VALUE, true, NULL } } },
    { "task", "handoff", "task handoff ID --to H [--reason R]", "hand a task to a colleague",
      "TASK-HANDOFF", NULL, s_print_task, { POS_TASK },
      { { "to", "to", O_VALUE, true, NULL }, OPT_REASON } },
    { "task", "done", "task done ID --evidence E [--reference R] [--date D] [--with H]...",
      "complete a task with evidence (done on day D, default today; a visit or meeting "
      "is a contact with the family, by you and --with)",
      "TASK-DONE", NULL, s_print_task, { POS_TASK },
      { { "evidence", "evidence", O_VALUE, true, NULL },
        { "reference", "reference", O_VALUE, false, NULL },
        { "date", "date", O_VALUE, false, NULL },
        { "with", "with", O_MULTI, false, NULL } } },
    { "task", "reassign", "task reassign ID --to H [--reason R]",
      "reassign a task to another member",
      "TASK-REASSIGN", NULL, s_print_task, { POS_TASK },
      { { "to", "to", O_VALUE, true, NULL }, OPT_REASON } },
    { "task", "delegate", "task delegate ID --to H [--reason R] [--follow-up D]",
      "pass your task to a colleague; you stay accountable and confirm it when they are done",
      "TASK-DELEGATE", NULL, s_print_task, { POS_TASK },
      { { "to", "to", O_VALUE, true, NULL }, OPT_REASON,
        { "follow-up", "follow_up", O_VALUE, false, NULL } } },
    { "task", "confirm", "task confirm ID", "confirm delegated work the delegate marked done",
      "TASK-CONFIRM", NULL, s_print_task, { POS_TASK }, {} },
    { "task", "follow-up", "task follow-up ID [--on D]",
      "bring a task back to the top of its holder's list, with a reminder, on D (no --on: clear it)",
      "TASK-FOLLOW-UP", NULL, s_print_task, { POS_TASK },
      { { "on", "on", O_VALUE, false, NULL } } },
    { "task", "kinds", "task kinds", "the task kinds: who may do them, default due, reminders",
      "TASK-KINDS", NULL, s_print_task_kinds, {}, {} },
    { "task", "cancel", "task cancel ID [--reason R]",
      "cancel a task (a standard's task needs --reason; its chain stops)",
      "TASK-CANCEL", NULL, s_print_task, { POS_TASK }, { OPT_REASON } },
    { "task", "reschedule", "task reschedule ID --due D --reason R",
      "move a task's due date (team manager); a standard's chain goes on",
      "TASK-RESCHEDULE", NULL, s_print_task, { POS_TASK },
      { { "due", "due", O_VALUE, true, NULL }, { "reason", "reason", O_VALUE, true, NULL } } },
    { "leave", "request",
      "leave request [--member H] --kind K [--from D] [--to D] [--note N] [--return return|stay]",
      "request leave (yours unless --member); K annual, training, other, sickness or emergency",
      "LEAVE-REQUEST", NULL, s_print_absence, {},
      { { "member", "member", O_VALUE, false, NULL },
        { "kind", "kind", O_VALUE, true, NULL },
        OPT_FROM, OPT_TO,
        { "note", "note", O_VALUE, false, NULL },
        OPT_RETURN } },
    { "leave", "approve", "leave approve ID [--return return|stay]",
      "approve a leave request (team manager)",
      "LEAVE-APPROVE", NULL, s_print_absence, { POS_ABSENCE }, { OPT_RETURN } },
    { "leave", "refuse", "leave refuse ID [--reason R]", "refuse a leave request (team manager)",
      "LEAVE-REFUSE", NULL, s_print_absence, { POS_ABSENCE }, { OPT_REASON } },
    { "leave", "cancel", "leave cancel ID", "cancel leave before it starts",
      "LEAVE-CANCEL", NULL, s_print_absence, { POS_ABSENCE }, {} },
    { "leave", "end", "leave end ID [--at D]", "end leave under way: back now, or at D",
      "LEAVE-END", NULL, s_print_absence, { POS_ABSENCE },
      { { "at", "at", O_VALUE, false, NULL } } },
    { "leave", "calendar", "leave calendar [--pod P] [--from D] [--to D]",
      "a pod's absences in a period (default the next 14 days) and their cover",
      "LEAVE-CALENDAR", NULL, s_print_calendar, {}, { OPT_POD, OPT_FROM, OPT_TO } },
    { "leave", "list", "leave list [--pod P] [--member H] [--status S] [--limit N] [--after CURSOR]",
      "absences of a pod or a member, latest first, a page at a time; S all, requested, approved, "
      "refused or cancelled",
      "LEAVE-LIST", NULL, s_print_leave_list, {},
      { OPT_POD, { "member", "member", O_VALUE, false, NULL },
        { "status", "status", O_VALUE, false, NULL }, OPT_PAGE } },
    { "leave", "show", "leave show ID", "show an absence and its cover lines",
      "LEAVE-SHOW", NULL, s_print_absence, { POS_ABSENCE }, {} },
    { "cover", "plan", "cover plan H (--absence ID | --from D --to D) [--accept]",
      "propose cover for H's cases and tasks in an absence or a period; --accept stores it (team manager)",
      "COVER-PLAN", NULL, s_print_cover_plan, { { "member", "H", false } },
      { { "from", "from", O_VALUE, false, NULL },
        { "to", "to", O_VALUE, false, NULL },
        { "accept", "accept", O_FLAG, false, NULL },
        OPT_ABSENCE } },
    { "cover", "set", "cover set CASE --by H [--absence ID]",
      "set who covers a case while its lead is away (team manager)",
      "COVER-SET", NULL, s_print_cover_line, { { "case", "CASE", false } },
      { { "by", "by", O_VALUE, true, NULL }, OPT_ABSENCE } },
    { "cover", "offer", "cover offer ABSENCE CASE [--note N]",
      "offer to cover a case in a colleague's absence (\"I know this family\"); the team manager decides",
      "COVER-OFFER", NULL, s_print_requests, { POS_ABSENCE, { "case", "CASE", false } },
      { { "note", "note", O_VALUE, false, NULL } } },
    { "cover", "swap", "cover swap LINE LINE [--note N]",
      "ask to swap your cover line with a colleague's (line numbers from cover show); the team manager decides",
      "COVER-SWAP", NULL, s_print_requests, { { "line", "LINE", true }, { "with", "LINE", true } },
      { { "note", "note", O_VALUE, false, NULL } } },
    { "cover", "approve", "cover approve REQUEST", "approve a cover offer or swap (team manager)",
      "COVER-APPROVE", NULL, s_print_absence, { { "request", "REQUEST", true } }, {} },
    { "cover", "refuse", "cover refuse REQUEST [--reason R]", "refuse a cover offer or swap (team manager)",
      "COVER-REFUSE", NULL, s_print_absence, { { "request", "REQUEST", true } }, { OPT_REASON } },
    { "cover", "show", "cover show ABSENCE", "an absence's cover lines: who covers what, set by whom",
      "COVER-SHOW", NULL, s_print_absence, { POS_ABSENCE }, {} },
    { NULL, "handover", "handover [--absence ID] [--case REF]",
      "the handover pack of your coming leave, or of an absence (a cover sees the cases they cover)",
      "HANDOVER", NULL, s_print_handover, {},
      { OPT_ABSENCE, { "case", "case", O_VALUE, false, NULL } } },
    { "handover", "note", "handover note REF TEXT [--absence ID]",
      "the note for whoever covers case REF while its lead is away",
      "HANDOVER-NOTE", NULL, s_print_handover_note, { { "case", "REF", false }, { "text", "TEXT", false } },
      { OPT_ABSENCE } },
    { NULL, "notices", "notices [--kind K] [--limit N] [--after CURSOR]",
      "notices kept for you, latest first (leave, cover, handover, declined tasks), a page at a time",
      "NOTICES", NULL, s_print_notices, {},
      { { "kind", "kind", O_VALUE, false, NULL }, OPT_PAGE } },
    { "cover", "move", "cover move --from H --to H",
      "move every cover line of one member to another (team manager)",
      "COVER-MOVE", NULL, s_print_cover_move, {},
      { { "from", "from", O_VALUE, true, NULL },
        { "to", "to", O_VALUE, true, NULL } } },
    { NULL, "load", "load [--pod P] [--from D] [--to D]",
      "work per member in a period (default the next 14 days)",
      "LOAD", NULL, s_print_load, {}, { OPT_POD, OPT_FROM, OPT_TO } },
    { NULL, "digest", "digest [--absence ID]",
      "what happened while you were away (your latest return, or that absence's)",
      "DIGEST", NULL, s_print_digest, {}, { OPT_ABSENCE } },
    { "mail", "queue", "mail queue [--state S] [--pod P] [--limit N] [--after CURSOR]",
      "the mail outbox and each recipient's outcome, newest first, a page at a time "
      "(S pending, sent, failed, all; team manager)",
      "MAIL-QUEUE", NULL, s_print_mail_queue, {},
      { { "state", "state", O_VALUE, false, NULL },
        OPT_POD, OPT_PAGE } },
    { "mail", "retry", "mail retry ID", "send a failed message again (team manager)",
      "MAIL-RETRY", NULL, s_print_mail_item, { { "id", "ID", true } }, {} },
    { NULL, "reminders", "reminders TASK",
      "a task's next reminder and the reminders sent for it",
      "REMINDERS", NULL, s_print_reminders, { { "task", "TASK", true } }, {} },
    { NULL, "standards", "standards",
      "the practice standards podd applies: what starts each one, its timescale and source",
      "STANDARDS-LIST", NULL, s_print_standards, {}, {} },
    { NULL, "continuity",
      "continuity [--pod P] [--member H] [--case REF] [--from D] [--to D] [--csv | --json]",
      "continuity of relationships per case, member and pod: workers with contact, "
      "changes of lead, known-worker rate, uncovered days (default the last 12 months)",
      "CONTINUITY", s_report, NULL, {},
      { OPT_POD,
        { "member", "member", O_VALUE, false, NULL },
        { "case", "case", O_VALUE, false, NULL },
        OPT_FROM, OPT_TO,
        { "csv", "csv", O_FLAG, false, NULL } } },
    { "member", "leave-service", "member leave-service H --from D [--accept]",
      "plan who takes over each case of H, who leaves the service on D; --accept stores it "
      "(new leads, a handover visit task per case)",
      "MEMBER-LEAVE-SERVICE", NULL, s_print_leave_service, { { "member", "H", false } },
      { { "from", "from", O_VALUE, true, NULL },
        { "accept", "accept", O_FLAG, false, NULL } } },
    { "report", "compliance",
      "report compliance [--pod P] [--member H] [--from D] [--to D] [--standard ID] "
      "[--csv | --json]",
      "tasks of practice standards done on time, late, overdue (whatever the period) or due "
      "in 14 days, cancelled or held by nobody, per standard and per member",
      "REPORT-COMPLIANCE", s_report, NULL, {},
      { OPT_POD,
        { "member", "member", O_VALUE, false, NULL },
        OPT_FROM, OPT_TO,
        { "standard", "standard", O_VALUE, false, NULL },
        { "csv", "csv", O_FLAG, false, NULL } } },
    { NULL, "audit",
      "audit [--case REF] [--member H] [--from D] [--to D] [--pod P] [--limit N] [--before ID]",
      "who did what and when, refused attempts included, newest first (team manager: "
      "their pod; admins: every pod)",
      "AUDIT-LIST", NULL, s_print_audit, {},
      { { "case", "case", O_VALUE, false, NULL },
        { "member", "member", O_VALUE, false, NULL },
        OPT_FROM, OPT_TO, OPT_POD,
        { "limit", "limit", O_NUMBER, false, NULL },
        { "before", "before", O_NUMBER, false, NULL } } },
    { "partner", "add",
      "partner add --agency A --agency-kind K --name N --email E [--role R] [--alias E]...",
      "add an agency contact who gets meeting invites (K school, health, police, "
      "virtual-school or other)",
      "PARTNER-ADD", NULL, s_print_partner, {},
      { { "agency", "agency", O_VALUE, true, NULL },
        { "agency-kind", "agency_kind", O_VALUE, true, NULL },
        { "name", "name", O_VALUE, true, NULL },
        { "email", "email", O_VALUE, true, NULL },
        { "role", "role", O_VALUE, false, NULL },
        { "alias", "aliases", O_MULTI, false, NULL } } },
    { "partner", "update",
      "partner update EMAIL [--name N] [--alias E]... [--remove-alias E]...",
      "rename a partner, or add and remove the other addresses they reply from",
      "PARTNER-UPDATE", NULL, s_print_partner, { { "email", "EMAIL", false } },
      { { "name", "name", O_VALUE, false, NULL },
        { "alias", "aliases", O_MULTI, false, NULL },
        { "remove-alias", "remove_aliases", O_MULTI, false, NULL } } },
    { "partner", "list", "partner list [--case REF] [--limit N] [--after CURSOR]",
      "list partners, all or those linked to a case, by agency and name, a page at a time",
      "PARTNER-LIST", NULL, s_print_partner_list, {},
      { { "case", "case", O_VALUE, false, NULL }, OPT_PAGE } },
    { "partner", "link", "partner link CASE EMAIL", "link a partner to a case",
      "PARTNER-LINK", NULL, s_print_partner_list,
      { { "case", "CASE", false }, { "partner", "EMAIL", false } }, {} },
    { "partner", "unlink", "partner unlink CASE EMAIL", "unlink a partner from a case",
      "PARTNER-UNLINK", NULL, s_print_partner_list,
      { { "case", "CASE", false }, { "partner", "EMAIL", false } }, {} },
    { "meeting", "schedule",
      "meeting schedule TASK --start D --end D [--location L] [--online URL] [--invite EMAIL]... "
      "[--member H]...",
      "schedule a meeting task (in a room, online at an https:// link, or both) and e-mail the "
      "invites (partners linked to the case, members)",
      "MEETING-SCHEDULE", NULL, s_print_meeting, { POS_MEETING },
      { { "start", "start", O_VALUE, true, NULL },
        { "end", "end", O_VALUE, true, NULL },
        { "location", "location", O_VALUE, false, NULL },
        { "online", "online", O_VALUE, false, NULL },
        { "invite", "invite", O_MULTI, false, NULL },
        { "member", "members", O_MULTI, false, NULL } } },
    { "meeting", "update",
      "meeting update TASK [--start D] [--end D] [--location L] [--online URL]",
      "move a meeting (\"\" clears the location or the online link); every attendee is asked again",
      "MEETING-UPDATE", NULL, s_print_meeting, { POS_MEETING },
      { { "start", "start", O_VALUE, false, NULL },
        { "end", "end", O_VALUE, false, NULL },
        { "location", "location", O_VALUE, false, NULL },
        { "online", "online", O_VALUE, false, NULL } } },
    { "meeting", "cancel", "meeting cancel TASK [--reason R]",
      "cancel a meeting; every attendee is told",
      "MEETING-CANCEL", NULL, s_print_meeting, { POS_MEETING }, { OPT_REASON } },
    { "meeting", "attendees", "meeting attendees TASK",
      "a meeting and each attendee's answer",
      "MEETING-ATTENDEES", NULL, s_print_meeting, { POS_MEETING }, {} },
    { "meeting", "outcome", "meeting outcome TASK --summary S",
      "send the partners what happens next; recorded in the case chronology",
      "MEETING-OUTCOME", NULL, s_print_meeting, { POS_MEETING },
      { { "summary", "summary", O_VALUE, true, NULL } } },
    { NULL, "ingest-mail", "ingest-mail < MESSAGE",
      "give podd one received mail, a meeting reply (at most 768 KiB; for a mail gateway)",
      "INGEST-MAIL", s_ingest_mail, NULL, {}, {} },
    { NULL, "watch", "watch [--count N] [--no-ack]",
      "print task deliveries as they arrive, acknowledging each (stop after N)",
      "WATCH", s_watch, NULL, {},
      { { "count", "count", O_VALUE, false, NULL },
        { "no-ack", "no_ack", O_FLAG, false, NULL } } },
};
#define COMMAND_COUNT (sizeof (s_commands) / sizeof (s_commands [0]))

static bool
s_is_group (const char *word)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (s_commands [i].group && streq (s_commands [i].group, word))
            return true;
    return false;
}

static const cmddef_t *
s_command_find (const char *group, const char *verb)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        const cmddef_t *cmd = &s_commands [i];
        if (((group == NULL && cmd->group == NULL)
        ||   (group && cmd->group && streq (group, cmd->group)))
        &&  streq (verb, cmd->verb))
            return cmd;
    }
    return NULL;
}

//  --------------------------------------------------------------------------
//  Help and usage errors

static void
s_help (FILE *out)
{
    fprintf (out,
        "usage: " GLOBAL_USAGE "\n"
        "\n"
        "options:\n"
        "  -e, --endpoint ENDPOINT   podd endpoint (default $PODD_ENDPOINT or " DEFAULT_ENDPOINT ")\n"
        "  -k, --key KEYFILE         your certificate; KEYFILE_secret must exist too\n"
        "                            (default $PODCTL_KEY or " DEFAULT_KEYDIR "/$USER.cert)\n"
        "  -s, --server-cert CERT    podd's public certificate\n"
        "                            (default $PODD_SERVER_CERT or " DEFAULT_SERVERCERT ")\n"
        "  -t, --timeout SECONDS     wait at most this long for an answer\n"
        "                            (default 5; 30 for ingest-mail)\n"
        "      --json                print the reply data as JSON, one line per document\n"
        "      --insecure            no CURVE encryption or authentication (development only)\n"
        "  -h, --help                print this help\n"
        "\n"
        "commands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf (out, "  podctl %s\n      %s\n", s_commands [i].usage, s_commands [i].summary);
    fprintf (out, "  podctl help\n      print this help\n"
        "\n"
        "exit status: 0 success, 1 usage or local error, 2 error reply from podd,\n"
        "3 no answer within the timeout.\n");
}

//  Print "podctl: MESSAGE" and the usage of cmd (or of a group, or the
//  global usage) to stderr; returns EXIT_USAGE.

static int
s_usage_error (const cmddef_t *cmd, const char *group, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    fprintf (stderr, "podctl: ");
    vfprintf (stderr, format, args);
    fprintf (stderr, "\n");
    va_end (args);
    if (cmd)
        fprintf (stderr, "usage: podctl %s\n", cmd->usage);
    else
    if (group) {
        const char *prefix = "usage:";
        for (size_t i = 0; i < COMMAND_COUNT; i++)
            if (s_commands [i].group && streq (s_commands [i].group, group)) {
                fprintf (stderr, "%s podctl %s\n", prefix, s_commands [i].usage);
                prefix = "      ";
            }
    }
    else
        fprintf (stderr, "usage: " GLOBAL_USAGE "\n"
                         "Try 'podctl --help' for the list of commands.\n");
    return EXIT_USAGE;
}

//  --------------------------------------------------------------------------
//  Small parsing helpers

//  Parse a decimal integer 0..max, digits only. Returns 0 or -1.

static int
s_parse_uint (const char *text, int64_t max, int64_t *value)
{
    if (!text || !*text || strlen (text) > 18)
        return -1;
    int64_t result = 0;
    for (const char *s = text; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        result = result * 10 + (*s - '0');
    }
    if (result > max)
        return -1;
    *value = result;
    return 0;
}

static int
s_parse_seconds (const char *text, double *value)
{
    char *end = NULL;
    errno = 0;
    if (!text || !*text)
        return -1;
    double result = strtod (text, &end);
    //  NaN fails both comparisons, infinity the second
    if (errno || *end || !(result > 0 && result <= MAX_TIMEOUT))
        return -1;
    *value = result;
    return 0;
}

//  Does arg name the long option `name` ("--name" or "--name=...")?
//  Sets *attached to the text after '=' or NULL.

static bool
s_long_match (const char *arg, const char *name, const char **attached)
{
    if (arg [0] != '-' || arg [1] != '-')
        return false;
    size_t len = strlen (name);
    if (strncmp (arg + 2, name, len) != 0)
        return false;
    if (arg [2 + len] == '\0') {
        *attached = NULL;
        return true;
    }
    if (arg [2 + len] == '=') {
        *attached = arg + 3 + len;
        return true;
    }
    return false;
}

//  Value of an option: attached ("--x=v") or the next argument.

static const char *
s_option_value (int argc, char **argv, int *index, const char *attached)
{
    if (attached)
        return attached;
    //  A following long option is not taken as the value ("--pod --json");
    //  "--reason=--x" still works
    if (*index + 1 < argc && strncmp (argv [*index + 1], "--", 2) != 0)
        return argv [++*index];
    return NULL;
}

typedef enum { G_ENDPOINT, G_KEY, G_SERVER, G_TIMEOUT, G_JSON, G_INSECURE, G_HELP } global_id_t;

static const struct {
    const char *short_name;
    const char *long_name;
    global_id_t id;
    bool value;
} s_globals [] = {
    { "-e", "endpoint", G_ENDPOINT, true },
    { "-k", "key", G_KEY, true },
    { "-s", "server-cert", G_SERVER, true },
    { "-t", "timeout", G_TIMEOUT, true },
    { NULL, "json", G_JSON, false },
    { NULL, "insecure", G_INSECURE, false },
    { "-h", "help", G_HELP, false },
};

//  Try argv [*index] as a global option. Returns 1 when consumed (index
//  moved past any value), 0 when it is not a global option, 2 for --help,
//  -1 on error (message printed).

static int
s_global_option (config_t *cfg, const cmddef_t *cmd, int argc, char **argv, int *index)
{
    const char *arg = argv [*index];
    for (size_t i = 0; i < sizeof (s_globals) / sizeof (s_globals [0]); i++) {
        const char *attached = NULL;
        bool is_short = s_globals [i].short_name && streq (arg, s_globals [i].short_name);
        if (!is_short && !s_long_match (arg, s_globals [i].long_name, &attached))
            continue;
        const char *value = NULL;
        if (s_globals [i].value) {
            value = s_option_value (argc, argv, index, attached);
            if (!value) {
                s_usage_error (cmd, NULL, "option %s needs a value", arg);
                return -1;
            }
        }
        else
        if (attached) {
            s_usage_error (cmd, NULL, "option --%s takes no value", s_globals [i].long_name);
            return -1;
        }
        switch (s_globals [i].id) {
            case G_ENDPOINT:
                cfg->endpoint = value;
                break;
            case G_KEY:
                cfg->keyfile = value;
                break;
            case G_SERVER:
                cfg->servercert = value;
                break;
            case G_TIMEOUT:
                if (s_parse_seconds (value, &cfg->timeout)) {
                    s_usage_error (cmd, NULL, "-t needs a number of seconds "
                                   "(0 < SECONDS <= 86400), not '%s'", value);
                    return -1;
                }
                cfg->timeout_ms = (int) (cfg->timeout * 1000.0 + 0.999);
                cfg->timeout_given = true;
                break;
            case G_JSON:
                cfg->json = true;
                break;
            case G_INSECURE:
                cfg->insecure = true;
                break;
            case G_HELP:
                return 2;
        }
        (*index)++;
        return 1;
    }
    return 0;
}

static const char *
s_env (const char *name)
{
    const char *value = getenv (name);
    return value && *value ? value : NULL;
}

static void
s_config_init (config_t *cfg)
{
    memset (cfg, 0, sizeof (*cfg));
    cfg->endpoint = s_env ("PODD_ENDPOINT");
    if (!cfg->endpoint)
        cfg->endpoint = DEFAULT_ENDPOINT;
    cfg->servercert = s_env ("PODD_SERVER_CERT");
    if (!cfg->servercert)
        cfg->servercert = DEFAULT_SERVERCERT;
    cfg->keyfile = s_env ("PODCTL_KEY");
    if (!cfg->keyfile) {
        const char *user = s_env ("USER");
        struct passwd *pw = user ? NULL : getpwuid (getuid ());
        if (!user)
            user = pw && pw->pw_name ? pw->pw_name : "nobody";
        //  A name cut short would be another file: then no file at all
        if (snprintf (cfg->keybuf, sizeof (cfg->keybuf), DEFAULT_KEYDIR "/%s.cert", user)
                >= (int) sizeof (cfg->keybuf))
            cfg->keybuf [0] = 0;
        cfg->keyfile = cfg->keybuf;
    }
    cfg->timeout = DEFAULT_TIMEOUT;
    cfg->timeout_ms = (int) (DEFAULT_TIMEOUT * 1000);
}

//  Parse the command's arguments (from argv [index]) into args, a JSON
//  object holding the request body fields. Global options may appear
//  anywhere. Returns 0, EXIT_USAGE (message printed), or -2 for --help.

static int
s_parse_args (const cmddef_t *cmd, config_t *cfg, int argc, char **argv,
              int index, json_t *args)
{
    size_t npos = 0;
    const char *scope_option = NULL;
    bool positional_only = false;

    for (int i = index; i < argc; i++) {
        const char *arg = argv [i];
        if (!positional_only && streq (arg, "--")) {
            positional_only = true;
            continue;
        }
        if (!positional_only && arg [0] == '-' && arg [1] != '\0') {
            const optdef_t *opt = NULL;
            const char *attached = NULL;
            for (const optdef_t *o = cmd->opts; o->name; o++)
                if (s_long_match (arg, o->name, &attached)) {
                    opt = o;
                    break;
                }
            if (!opt) {
                int rc = s_global_option (cfg, cmd, argc, argv, &i);
                if (rc == 1) {
                    i--;            //  loop increments
                    continue;
                }
                if (rc == 2)
                    return -2;
                if (rc == 0)
                    s_usage_error (cmd, NULL, "unknown option '%s'", arg);
                return EXIT_USAGE;
            }
            const char *value = NULL;
            if (opt->kind == O_VALUE || opt->kind == O_NUMBER || opt->kind == O_MULTI
            ||  opt->kind == O_SCOPE_VALUE) {
                value = s_option_value (argc, argv, &i, attached);
                if (!value)
                    return s_usage_error (cmd, NULL, "option --%s needs a value", opt->name);
            }
            else
            if (opt->kind == O_SCOPE_OPTIONAL) {
                value = attached;
                if (!value && i + 1 < argc && argv [i + 1][0] != '-'
                &&  cmd->pos [npos].field == NULL)
                    value = argv [++i];
            }
            else
            if (attached)
                return s_usage_error (cmd, NULL, "option --%s takes no value", opt->name);

            if (opt->kind == O_SCOPE || opt->kind == O_SCOPE_VALUE
            ||  opt->kind == O_SCOPE_OPTIONAL) {
                if (scope_option && !streq (scope_option, opt->name))
                    return s_usage_error (cmd, NULL, "--%s and --%s cannot be combined",
                                          scope_option, opt->name);
                scope_option = opt->name;
                json_object_set_new (args, "scope", json_string (opt->scope));
            }
            if (opt->kind == O_MULTI) {
                json_t *array = json_object_get (args, opt->field);
                if (!array) {
                    array = json_array ();
                    json_object_set_new (args, opt->field, array);
                }
                json_array_append_new (array, json_string (value));
            }
            else
            if (opt->kind == O_FLAG)
                json_object_set_new (args, opt->field, json_true ());
            else
            if (opt->kind == O_NUMBER) {
                int64_t number;
                if (json_object_get (args, opt->field))
                    return s_usage_error (cmd, NULL, "option --%s given twice", opt->name);
                if (s_parse_uint (value, MAX_ID, &number))
                    return s_usage_error (cmd, NULL, "--%s must be a number, not '%s'",
                                          opt->name, value);
                json_object_set_new (args, opt->field, json_integer (number));
            }
            else
            if (value) {
                if (opt->kind == O_VALUE && json_object_get (args, opt->field))
                    return s_usage_error (cmd, NULL, "option --%s given twice", opt->name);
                json_t *string = json_string (value);
                if (!string)
                    return s_usage_error (cmd, NULL, "option --%s: not valid UTF-8", opt->name);
                json_object_set_new (args, opt->field, string);
            }
            continue;
        }
        //  Positional argument
        const posdef_t *pos = &cmd->pos [npos];
        if (!pos->field)
            return s_usage_error (cmd, NULL, "unexpected argument '%s'", arg);
        if (pos->integer) {
            int64_t id;
            if (s_parse_uint (arg, MAX_ID, &id))
                return s_usage_error (cmd, NULL, "%s must be a number, not '%s'",
                                      pos->metavar, arg);
            json_object_set_new (args, pos->field, json_integer (id));
        }
        else {
            json_t *string = json_string (arg);
            if (!string)
                return s_usage_error (cmd, NULL, "%s: not valid UTF-8", pos->metavar);
            json_object_set_new (args, pos->field, string);
        }
        npos++;
    }
    if (cmd->pos [npos].field)
        return s_usage_error (cmd, NULL, "missing %s", cmd->pos [npos].metavar);
    for (const optdef_t *o = cmd->opts; o->name; o++)
        if (o->required && !json_object_get (args, o->field))
            return s_usage_error (cmd, NULL, "--%s is required", o->name);
    return 0;
}

//  --------------------------------------------------------------------------
//  Output helpers

//  A copy of text safe to print on a terminal: TAB becomes a space, LF is
//  kept when keep_lf (trailing ones dropped) else a space, other C0/C1
//  controls and DEL become '?'.

static char *
s_clean (const char *text, bool keep_lf)
{
    char *copy = (char *) malloc (strlen (text) + 1);
    assert (copy);
    char *out = copy;
    for (const unsigned char *s = (const unsigned char *) text; *s; s++) {
        if (*s == '\n')
            *out++ = keep_lf ? '\n' : ' ';
        else
        if (*s == '\t')
            *out++ = ' ';
        else
        if (*s < 0x20 || *s == 0x7f)
            *out++ = '?';
        else
        if (*s == 0xc2 && s [1] >= 0x80 && s [1] <= 0x9f) {
            *out++ = '?';
            s++;
        }
        else
            *out++ = (char) *s;
    }
    while (out > copy && out [-1] == '\n')
        out--;
    *out = '\0';
    return copy;
}

//  Columns on a terminal (code points; good enough for names and notes)

static size_t
s_width (const char *text)
{
    size_t width = 0;
    for (const unsigned char *s = (const unsigned char *) text; *s; s++)
        if ((*s & 0xc0) != 0x80)
            width++;
    return width;
}

//  A time or date from podd as people read it, or NULL when text is
//  neither: a UTC time "YYYY-MM-DDTHH:MM:SSZ" as Europe/London wall time
//  "Mon 7 Dec 2026 17:00" (GMT or BST as the date falls), a date
//  "YYYY-MM-DD" as "Mon 7 Dec 2026". Returns a new string.

static char *
s_london_text (const char *text)
{
    static const char *const days [] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const months [] = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
    };
    struct tm tm = { 0 };
    int n = 0;
    bool timed;
    if (sscanf (text, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) == 6 && n == 20 && text [n] == 0)
        timed = true;
    else
    if ((n = 0, sscanf (text, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n)) == 3
    &&  n == 10 && text [n] == 0)
        timed = false;
    else
        return NULL;
    if (tm.tm_year < 1 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1
    ||  tm.tm_mday > icaltime_days_in_month (tm.tm_mon, tm.tm_year)
    ||  tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return NULL;
    struct icaltimetype local = icaltime_null_date ();
    local.year = tm.tm_year;
    local.month = tm.tm_mon;
    local.day = tm.tm_mday;
    if (timed) {
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        icaltimezone *zone = icaltimezone_get_builtin_timezone ("Europe/London");
        local = icaltime_from_timet_with_zone (timegm (&tm), 0, zone);
    }
    const char *day = days [(icaltime_day_of_week (local) + 6) % 7];
    if (timed)
        return zsys_sprintf ("%s %d %s %04d %02d:%02d", day, local.day,
                             months [local.month - 1], local.year, local.hour, local.minute);
    return zsys_sprintf ("%s %d %s %04d", day, local.day, months [local.month - 1], local.year);
}

//  Text for a JSON value: "-" for absent, null or empty; yes/no for
//  booleans; UTC times and dates in Europe/London (s_london_text);
//  string arrays joined with ", "; other structures as JSON.
//  Returns a new string.

static char *
s_value_text (json_t *value)
{
    if (!value || json_is_null (value))
        return strdup ("-");
    if (json_is_string (value)) {
        char *london = s_london_text (json_string_value (value));
        if (london)
            return london;
        return strdup (*json_string_value (value) ? json_string_value (value) : "-");
    }
    if (json_is_integer (value))
        return zsys_sprintf ("%" JSON_INTEGER_FORMAT, json_integer_value (value));
    if (json_is_real (value))
        return zsys_sprintf ("%g", json_real_value (value));
    if (json_is_boolean (value))
        return strdup (json_is_true (value) ? "yes" : "no");
    if (json_is_array (value)) {
        size_t index;
        json_t *item;
        bool scalars = true;
        json_array_foreach (value, index, item)
            if (json_is_array (item) || json_is_object (item))
                scalars = false;
        if (json_array_size (value) == 0)
            return strdup ("-");
        if (scalars) {
            char *joined = strdup ("");
            json_array_foreach (value, index, item) {
                char *text = s_value_text (item);
                char *next = zsys_sprintf ("%s%s%s", joined, index ? ", " : "", text);
                free (text);
                free (joined);
                joined = next;
            }
            return joined;
        }
    }
    char *text = json_dumps (value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    return text ? text : strdup ("?");
}

//  A field's text on one line, safe for the terminal. Returns a new string.

static char *
s_line_field (json_t *object, const char *field)
{
    char *text = s_value_text (json_object_get (object, field));
    char *clean = s_clean (text, false);
    free (text);
    return clean;
}

//  A table of text cells, printed with computed column widths. Cells are
//  cleaned for the terminal; only the last column may hold line breaks,
//  printed as indented continuation lines. Trailing empty cells and
//  trailing blanks are not printed. A row may carry lines printed under
//  it (s_table_under), outside the column layout.

#define TABLE_MAX_COLS 12

typedef struct {
    size_t cols;
    size_t count;
    size_t alloc;
    char **cells;
    size_t under_alloc;         //  rows with room in under
    char **under;               //  per row: lines printed under it, or NULL
} table_t;

static void
s_table_init (table_t *self, size_t cols)
{
    assert (cols > 0 && cols <= TABLE_MAX_COLS);
    memset (self, 0, sizeof (*self));
    self->cols = cols;
}

//  Add one cell; text NULL prints as "-"

static void
s_table_add (table_t *self, const char *text)
{
    if (self->count == self->alloc) {
        self->alloc = self->alloc ? self->alloc * 2 : 64;
        self->cells = (char **) realloc (self->cells, self->alloc * sizeof (char *));
        assert (self->cells);
    }
    bool last = self->count % self->cols == self->cols - 1;
    self->cells [self->count++] = s_clean (text ? text : "-", last);
}

//  Add one cell, taking ownership of text

static void
s_table_add_owned (table_t *self, char *text)
{
    s_table_add (self, text);
    free (text);
}

static void
s_table_add_value (table_t *self, json_t *value)
{
    s_table_add_owned (self, s_value_text (value));
}

//  Lines to print under the last complete row, taking ownership of text
//  (already safe for the terminal: made of cleaned cells, e.g. by
//  s_table_render). Each line gets the table's indent in front.

static void
s_table_under (table_t *self, char *text)
{
    assert (self->count > 0 && self->count % self->cols == 0);
    size_t row = self->count / self->cols - 1;
    if (row >= self->under_alloc) {
        size_t alloc = self->under_alloc ? self->under_alloc * 2 : 16;
        while (alloc <= row)
            alloc *= 2;
        self->under = (char **) realloc (self->under, alloc * sizeof (char *));
        assert (self->under);
        memset (self->under + self->under_alloc, 0,
                (alloc - self->under_alloc) * sizeof (char *));
        self->under_alloc = alloc;
    }
    free (self->under [row]);
    self->under [row] = text;
}

//  Print with indent spaces before each line, then free the cells

static void
s_table_print (table_t *self, FILE *out, int indent)
{
    assert (self->count % self->cols == 0);
    size_t widths [TABLE_MAX_COLS] = { 0 };
    for (size_t i = 0; i < self->count; i++) {
        size_t width = s_width (self->cells [i]);
        if (width > widths [i % self->cols])
            widths [i % self->cols] = width;
    }
    size_t hang = (size_t) indent;      //  where the last column starts
    for (size_t col = 0; col + 1 < self->cols; col++)
        hang += widths [col] + 2;

    for (size_t row = 0; row < self->count / self->cols; row++) {
        char **cells = self->cells + row * self->cols;
        size_t used = self->cols;
        while (used > 0 && *cells [used - 1] == '\0')
            used--;
        fprintf (out, "%*s", indent, "");
        for (size_t col = 0; col < used; col++) {
            if (col + 1 < self->cols) {
                fputs (cells [col], out);
                if (col + 1 < used)
                    fprintf (out, "%*s", (int) (widths [col] - s_width (cells [col]) + 2), "");
            }
            else
                for (const char *s = cells [col]; *s; s++) {
                    if (*s == '\n')
                        fprintf (out, "\n%*s", (int) hang, "");
                    else
                        fputc (*s, out);
                }
        }
        fputc ('\n', out);
        const char *under = row < self->under_alloc ? self->under [row] : NULL;
        while (under && *under) {
            size_t len = strcspn (under, "\n");
            fprintf (out, "%*s%.*s\n", indent, "", (int) len, under);
            under += len + (under [len] == '\n');
        }
    }
    for (size_t i = 0; i < self->count; i++)
        free (self->cells [i]);
    free (self->cells);
    for (size_t i = 0; i < self->under_alloc; i++)
        free (self->under [i]);
    free (self->under);
    self->cells = NULL;
    self->under = NULL;
    self->count = self->alloc = self->under_alloc = 0;
}

//  The table as text, as s_table_print would print it (cells freed)

static char *
s_table_render (table_t *self, int indent)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    assert (out);
    s_table_print (self, out, indent);
    fclose (out);
    return text;
}

//  Column of a list table: heading and item field

typedef struct {
    const char *head;
    const char *field;
} column_t;

//  Print an array of objects as a table with a heading row

static void
s_print_items (json_t *items, const column_t *columns, int indent)
{
    size_t cols = 0;
    while (columns [cols].head)
        cols++;
    table_t table;
    s_table_init (&table, cols);
    for (size_t col = 0; col < cols; col++)
        s_table_add (&table, columns [col].head);
    size_t index;
    json_t *item;
    json_array_foreach (items, index, item)
        for (size_t col = 0; col < cols; col++)
            s_table_add_value (&table, json_object_get (item, columns [col].field));
    s_table_print (&table, stdout, indent);
}

static bool
s_in_list (const char *key, const char *const *list)
{
    for (; list && *list; list++)
        if (streq (key, *list))
            return true;
    return false;
}

//  Add "field:  value" rows to a two-column table: the fields in order
//  first (when present), then any other field not in skip.

static void
s_fields_add (table_t *table, json_t *object, const char *const *order,
              const char *const *skip)
{
    for (const char *const *key = order; *key; key++) {
        json_t *value = json_object_get (object, *key);
        if (value && !s_in_list (*key, skip)) {
            s_table_add_owned (table, zsys_sprintf ("%s:", *key));
            s_table_add_value (table, value);
        }
    }
    const char *key;
    json_t *value;
    json_object_foreach (object, key, value)
        if (!s_in_list (key, order) && !s_in_list (key, skip)) {
            s_table_add_owned (table, zsys_sprintf ("%s:", key));
            s_table_add_value (table, value);
        }
}

static void
s_print_fields (json_t *object, const char *const *order, const char *const *skip)
{
    table_t table;
    s_table_init (&table, 2);
    s_fields_add (&table, object, order, skip);
    s_table_print (&table, stdout, 0);
}

static void
s_print_json (json_t *data)
{
    char *text = json_dumps (data, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (text) {
        puts (text);
        free (text);
    }
}

//  --------------------------------------------------------------------------
//  Printers for reply data

static const char *const s_member_fields [] = {
    "handle", "name", "email", "role", "pod", "skills", "pattern", "admin", "active", NULL
};
static const char *const s_pod_fields [] = {
    "name", "title", "mailbox", "duty", "members", "open_cases", NULL
};
static const char *const s_case_fields [] = {
    "ref", "kind", "status", "pod", "lead", "coworkers", "opened", "closed", "summary", NULL
};
static const char *const s_case_skip [] = { "chronology", "chronology_next", "placements", "ended", NULL };
static const char *const s_task_fields [] = {
    "id", "case", "kind", "title", "state", "priority", "assignee", "due", "follow_up",
    "delegator", "awaiting_confirm", "standard",
    "done_on", "on_time", "creator", "version", "created", "updated", "evidence",
    "reference", NULL
};
static const char *const s_task_skip [] = { "route", "history", NULL };
static const char *const s_entry_fields [] = {
    "id", "date", "kind", "author", "at", "text", NULL
};
static const char *const s_ping_fields [] = { "server", "time", NULL };
static const char *const s_backup_fields [] = { "file", "bytes", NULL };

static const column_t s_member_columns [] = {
    { "HANDLE", "handle" }, { "NAME", "name" }, { "ROLE", "role" }, { "POD", "pod" },
    { "ADMIN", "admin" }, { "ACTIVE", "active" }, { "EMAIL", "email" }, { NULL, NULL }
};
static const column_t s_pod_member_columns [] = {
    { "HANDLE", "handle" }, { "NAME", "name" }, { "ROLE", "role" },
    { "ADMIN", "admin" }, { "ACTIVE", "active" }, { "EMAIL", "email" }, { NULL, NULL }
};
static const column_t s_pod_columns [] = {
    { "POD", "name" }, { "TITLE", "title" }, { "DUTY", "duty" }, { "MEMBERS", "members" },
    { "OPEN-CASES", "open_cases" }, { "MAILBOX", "mailbox" }, { NULL, NULL }
};
static const column_t s_case_columns [] = {
    { "REF", "ref" }, { "KIND", "kind" }, { "POD", "pod" }, { "LEAD", "lead" },
    { "STATUS", "status" }, { "OPENED", "opened" }, { NULL, NULL }
};
static const column_t s_chronology_columns [] = {
    { "ID", "id" }, { "DATE", "date" }, { "KIND", "kind" }, { "AUTHOR", "author" },
    { "TEXT", "text" }, { NULL, NULL }
};
static const column_t s_placement_columns [] = {
    { "CHILD", "child" }, { "CARERS", "carer" }, { "STARTED", "started" }, { "ENDED", "ended" },
    { "LONG-TERM-FROM", "long_term_on" }, { NULL, NULL }
};
static const column_t s_caseload_columns [] = {
    { "POD", "pod" }, { "MEMBER", "member" }, { "ROLE", "role" }, { "LEAD", "lead" },
    { "CO-WORKER", "coworker" }, { "OPEN-TASKS", "open_tasks" }, { NULL, NULL }
};
static const column_t s_task_columns [] = {
    { "ID", "id" }, { "CASE", "case" }, { "KIND", "kind" }, { "PRIORITY", "priority" },
    { "STATE", "state" }, { "ASSIGNEE", "assignee" }, { "DUE", "due" },
    { "TITLE", "title" }, { NULL, NULL }
};

static json_t *
s_items (json_t *data)
{
    json_t *items = json_object_get (data, "items");
    return json_is_array (items) ? items : NULL;
}

static void
s_print_ping (json_t *data)
{
    s_print_fields (data, s_ping_fields, NULL);
}

static void
s_print_backup (json_t *data)
{
    s_print_fields (data, s_backup_fields, NULL);
}

static void
s_print_member (json_t *data)
{
    s_print_fields (data, s_member_fields, NULL);
}

//  After a page of a list: how to ask for the next one, when there is one
static void
s_print_more (json_t *data, const char *command)
{
    const char *next = json_string_value (json_object_get (data, "next"));
    if (next)
        printf ("\nmore: podctl %s ... --after %s\n", command, next);
}

static void
s_print_member_list (json_t *data)
{
    s_print_items (s_items (data), s_member_columns, 0);
    s_print_more (data, "member list");
}

static void
s_print_pod (json_t *data)
{
    json_t *members = json_object_get (data, "members");
    if (json_is_array (members)) {
        static const char *const skip [] = { "members", NULL };
        table_t table;
        s_table_init (&table, 2);
        s_fields_add (&table, data, s_pod_fields, skip);
        s_table_add (&table, "members:");
        s_table_add_owned (&table, zsys_sprintf ("%zu", json_array_size (members)));
        s_table_print (&table, stdout, 0);
        if (json_array_size (members)) {
            printf ("\n");
            s_print_items (members, s_pod_member_columns, 2);
        }
    }
    else
        s_print_fields (data, s_pod_fields, NULL);
}

static void
s_print_pod_list (json_t *data)
{
    s_print_items (s_items (data), s_pod_columns, 0);
}

static void
s_print_case (json_t *data)
{
    s_print_fields (data, s_case_fields, s_case_skip);
    json_t *chronology = json_object_get (data, "chronology");
    if (json_is_array (chronology)) {
        printf ("\nchronology:\n");
        if (json_array_size (chronology))
            s_print_items (chronology, s_chronology_columns, 2);
        else
            printf ("  (no entries)\n");
        //  CASE-SHOW gives the newest entries; older ones a page at a time
        const char *next = json_string_value (json_object_get (data, "chronology_next"));
        if (next)
            printf ("\nmore: podctl case show ... --after %s\n", next);
    }
    //  Placements: the child's, or the children placed with the household
    json_t *placements = json_object_get (data, "placements");
    if (json_is_array (placements) && json_array_size (placements)) {
        printf ("\nplacements (linked child and carer cases):\n");
        s_print_items (placements, s_placement_columns, 2);
    }
    json_t *ended = json_object_get (data, "ended");
    if (json_is_array (ended) && json_array_size (ended)) {
        printf ("\ntasks ended with the case:\n");
        s_print_items (ended, s_task_columns, 2);
    }
}

static void
s_print_case_list (json_t *data)
{
    s_print_items (s_items (data), s_case_columns, 0);
    s_print_more (data, "case list");
}

static void
s_print_entry (json_t *data)
{
    s_print_fields (data, s_entry_fields, NULL);
}

static void
s_print_caseload (json_t *data)
{
    s_print_items (s_items (data), s_caseload_columns, 0);
}

//  Task fields, its routing decision when new, and its history when shown:
//  "AT  ACTOR  EVENT  -> ASSIGNEE  (REASON)" per line.

static void
s_print_task (json_t *data)
{
    table_t table;
    s_table_init (&table, 2);
    s_fields_add (&table, data, s_task_fields, s_task_skip);
    json_t *route = json_object_get (data, "route");
    if (json_is_object (route)) {
        char *assignee = s_value_text (json_object_get (route, "assignee"));
        const char *reason = json_string_value (json_object_get (route, "reason"));
        s_table_add (&table, "route:");
        if (reason && *reason)
            s_table_add_owned (&table, zsys_sprintf ("%s (%s)", assignee, reason));
        else
            s_table_add (&table, assignee);
        free (assignee);
    }
    s_table_print (&table, stdout, 0);

    json_t *history = json_object_get (data, "history");
    if (json_is_array (history)) {
        printf ("\nhistory:\n");
        s_table_init (&table, 5);
        size_t index;
        json_t *event;
        json_array_foreach (history, index, event) {
            s_table_add_value (&table, json_object_get (event, "at"));
            s_table_add_value (&table, json_object_get (event, "actor"));
            s_table_add_value (&table, json_object_get (event, "event"));
            const char *assignee = json_string_value (json_object_get (event, "assignee"));
            if (assignee && *assignee)
                s_table_add_owned (&table, zsys_sprintf ("-> %s", assignee));
            else
                s_table_add (&table, "");
            const char *reason = json_string_value (json_object_get (event, "reason"));
            if (reason && *reason)
                s_table_add_owned (&table, zsys_sprintf ("(%s)", reason));
            else
                s_table_add (&table, "");
        }
        s_table_print (&table, stdout, 2);
    }
}

static void
s_print_task_list (json_t *data)
{
    s_print_items (s_items (data), s_task_columns, 0);
    s_print_more (data, "task list");
}

//  --------------------------------------------------------------------------
//  Leave and cover printers

static const char *const s_absence_fields [] = {
    "id", "member", "kind", "status", "from", "to", "return", "requested_by",
    "approved_by", "started", "ended", "note", NULL
};
static const char *const s_absence_skip [] = { "cover", "requests", NULL };
static const char *const s_cover_line_fields [] = {
    "absence", "case", "task", "cover", "set_by", NULL
};
static const char *const s_plan_fields [] = {
    "member", "from", "to", "absence", "accepted", NULL
};
static const char *const s_plan_skip [] = { "lines", "requests", NULL };
static const char *const s_period_fields [] = { "from", "to", NULL };
static const char *const s_period_skip [] = { "items", NULL };
static const char *const s_digest_fields [] = {
    "absence", "member", "from", "to", "created", NULL
};
static const char *const s_digest_skip [] = {
    "done", "new_tasks", "chronology", "open", NULL
};

static const column_t s_calendar_columns [] = {
    { "ID", "id" }, { "MEMBER", "member" }, { "KIND", "kind" }, { "FROM", "from" },
    { "TO", "to" }, { "STATUS", "status" }, { NULL, NULL }
};
static const column_t s_load_columns [] = {
    { "MEMBER", "member" }, { "ROLE", "role" }, { "OPEN", "open_tasks" },
    { "DUE", "due_in_period" }, { "CASES", "cases_led" }, { "COVERING", "covering" },
    { "AWAY", "away_days" }, { NULL, NULL }
};
static const column_t s_digest_done_columns [] = {
    { "TASK", "task" }, { "BY", "by" }, { "AT", "at" }, { "TITLE", "title" }, { NULL, NULL }
};
static const column_t s_digest_new_columns [] = {
    { "TASK", "task" }, { "ASSIGNEE", "assignee" }, { "STATE", "state" },
    { "TITLE", "title" }, { NULL, NULL }
};
static const column_t s_digest_chronology_columns [] = {
    { "CASE", "case" }, { "DATE", "date" }, { "KIND", "kind" }, { "AUTHOR", "author" },
    { "TEXT", "text" }, { NULL, NULL }
};
static const column_t s_digest_open_columns [] = {
    { "TASK", "task" }, { "CASE", "case" }, { "DUE", "due" }, { "ASSIGNEE", "assignee" },
    { "STATE", "state" }, { "TITLE", "title" }, { NULL, NULL }
};

//  Cover lines as text, one per line, indent spaces in front:
//  "cover CASE  [task ID]  -> COVER  (set by H)". NULL when there are none.

static char *
s_cover_lines_text (json_t *lines, int indent)
{
    if (!json_is_array (lines) || json_array_size (lines) == 0)
        return NULL;
    table_t table;
    s_table_init (&table, 4);
    size_t index;
    json_t *line;
    json_array_foreach (lines, index, line) {
        const char *ref = json_string_value (json_object_get (line, "case"));
        if (ref && *ref)
            s_table_add_owned (&table, zsys_sprintf ("cover %s", ref));
        else
            s_table_add (&table, "cover");
        json_t *task = json_object_get (line, "task");
        if (json_is_integer (task))
            s_table_add_owned (&table, zsys_sprintf ("task %" JSON_INTEGER_FORMAT,
                                                     json_integer_value (task)));
        else
            s_table_add (&table, "");
        char *text = s_value_text (json_object_get (line, "cover"));
        s_table_add_owned (&table, zsys_sprintf ("-> %s", text));
        free (text);
        text = s_value_text (json_object_get (line, "set_by"));
        json_t *id = json_object_get (line, "line");
        if (json_is_integer (id))
            s_table_add_owned (&table, zsys_sprintf ("(line %" JSON_INTEGER_FORMAT ", set by %s)",
                                                     json_integer_value (id), text));
        else
            s_table_add_owned (&table, zsys_sprintf ("(set by %s)", text));
        free (text);
    }
    return s_table_render (&table, indent);
}

//  An absence: its fields, then its cover lines when it has any

//  Offers and swaps: "ID KIND CASE LINES ASKED-BY STATUS DECIDED-BY"
static const column_t s_request_columns [] = {
    { "REQUEST", "id" }, { "KIND", "kind" }, { "CASE", "case" }, { "LINE", "line_a" },
    { "WITH", "line_b" }, { "ASKED-BY", "asked_by" }, { "STATUS", "status" },
    { "DECIDED-BY", "decided_by" }, { "NOTE", "note" }, { NULL, NULL }
};

static void
s_print_requests (json_t *data)
{
    json_t *requests = json_object_get (data, "requests");
    if (json_is_array (requests) && json_array_size (requests)) {
        printf ("\noffers and swaps:\n");
        s_print_items (requests, s_request_columns, 2);
    }
}

static void
s_print_absence (json_t *data)
{
    s_print_fields (data, s_absence_fields, s_absence_skip);
    char *cover = s_cover_lines_text (json_object_get (data, "cover"), 2);
    if (cover) {
        printf ("\ncover:\n%s", cover);
        free (cover);
    }
    s_print_requests (data);
}

//  "ID MEMBER KIND FROM TO STATUS" per absence, its cover lines under it

static void
s_print_calendar (json_t *data)
{
    json_t *away = json_object_get (data, "away_today");
    if (json_is_array (away)) {
        printf ("away today (%s):", json_string_value (json_object_get (data, "today")));
        size_t index;
        json_t *item;
        json_array_foreach (away, index, item) {
            const char *to = json_string_value (json_object_get (item, "to"));
            printf ("%s %s (%s%s%s)", index? ",": "", json_string_value (json_object_get (item, "member")),
                    json_string_value (json_object_get (item, "kind")), to? ", to ": "", to? to: "");
        }
        printf ("%s\n\n", json_array_size (away)? "": " nobody");
    }
    json_t *items = s_items (data);
    table_t table;
    s_table_init (&table, 6);
    for (size_t col = 0; s_calendar_columns [col].head; col++)
        s_table_add (&table, s_calendar_columns [col].head);
    size_t index;
    json_t *item;
    json_array_foreach (items, index, item) {
        for (size_t col = 0; s_calendar_columns [col].head; col++)
            s_table_add_value (&table, json_object_get (item, s_calendar_columns [col].field));
        char *cover = s_cover_lines_text (json_object_get (item, "cover"), 4);
        if (cover)
            s_table_under (&table, cover);
    }
    s_table_print (&table, stdout, 0);
}

static void
s_print_leave_list (json_t *data)
{
    s_print_calendar (data);
    s_print_more (data, "leave list");
}

//  The plan's period, then "CASE TASK COVER REASON" per line with the
//  candidates under it: "member (role) load N, knows|-"

static void
s_print_cover_plan (json_t *data)
{
    s_print_fields (data, s_plan_fields, s_plan_skip);
    if (!json_is_true (json_object_get (data, "accepted")))
        printf ("(a proposal: nothing is stored without --accept)\n");
    printf ("\n");
    table_t table;
    s_table_init (&table, 4);
    s_table_add (&table, "CASE");
    s_table_add (&table, "TASK");
    s_table_add (&table, "COVER");
    s_table_add (&table, "REASON");
    json_t *lines = json_object_get (data, "lines");
    size_t index;
    json_t *line;
    json_array_foreach (lines, index, line) {
        s_table_add_value (&table, json_object_get (line, "case"));
        s_table_add_value (&table, json_object_get (line, "task"));
        s_table_add_value (&table, json_object_get (line, "cover"));
        s_table_add_value (&table, json_object_get (line, "reason"));
        char *under = strdup ("");
        size_t cindex;
        json_t *candidate;
        json_array_foreach (json_object_get (line, "candidates"), cindex, candidate) {
            char *member = s_value_text (json_object_get (candidate, "member"));
            char *role = s_value_text (json_object_get (candidate, "role"));
            char *load = s_value_text (json_object_get (candidate, "load"));
            char *text = zsys_sprintf ("%s (%s) load %s, %s", member, role, load,
                json_is_true (json_object_get (candidate, "knows")) ? "knows" : "-");
            char *clean = s_clean (text, false);
            char *next = zsys_sprintf ("%s    %s\n", under, clean);
            free (member);
            free (role);
            free (load);
            free (text);
            free (clean);
            free (under);
            under = next;
        }
        if (*under)
            s_table_under (&table, under);
        else
            free (under);
    }
    s_table_print (&table, stdout, 0);
    s_print_requests (data);
}

static void
s_print_cover_line (json_t *data)
{
    s_print_fields (data, s_cover_line_fields, NULL);
}

static void
s_print_cover_move (json_t *data)
{
    static const char *const order [] = { "moved", NULL };
    s_print_fields (data, order, NULL);
}

//  "CONTACT (ROLE) EMAIL - REASON"

static void
s_print_contact (json_t *data)
{
    const char *names [] = { "contact", "role", "email", "reason" };
    char *fields [4];
    for (size_t i = 0; i < 4; i++)
        fields [i] = s_line_field (data, names [i]);
    printf ("%s (%s) %s - %s\n", fields [0], fields [1], fields [2], fields [3]);
    for (size_t i = 0; i < 4; i++)
        free (fields [i]);
}

static void
s_print_load (json_t *data)
{
    s_print_fields (data, s_period_fields, s_period_skip);
    printf ("\n");
    s_print_items (s_items (data), s_load_columns, 0);
}

//  One section of a digest: "title:" then its table, or "(none)"

static void
s_print_section (json_t *data, const char *field, const char *title,
                 const column_t *columns)
{
    json_t *items = json_object_get (data, field);
    printf ("\n%s:\n", title);
    if (json_is_array (items) && json_array_size (items))
        s_print_items (items, columns, 2);
    else
        printf ("  (none)\n");
}

static void
s_print_digest (json_t *data)
{
    s_print_fields (data, s_digest_fields, s_digest_skip);
    s_print_section (data, "done", "done while you were away", s_digest_done_columns);
    s_print_section (data, "new_tasks", "new tasks", s_digest_new_columns);
    s_print_section (data, "chronology", "chronology", s_digest_chronology_columns);
    s_print_section (data, "open", "still open", s_digest_open_columns);
}

//  --------------------------------------------------------------------------
//  Handover, notices and task kinds

static const char *const s_handover_fields [] = {
    "absence", "member", "from", "to", "status", "built", "last_built", NULL
};
static const char *const s_handover_skip [] = { "pages", "no_note", NULL };
static const column_t s_handover_task_columns [] = {
    { "TASK", "id" }, { "KIND", "kind" }, { "DUE", "due" }, { "PRIORITY", "priority" },
    { "STATE", "state" }, { "HOLDER", "assignee" }, { "TITLE", "title" }, { NULL, NULL }
};
static const column_t s_handover_meeting_columns [] = {
    { "TASK", "task" }, { "START", "start" }, { "LOCATION", "location" }, { "TITLE", "title" },
    { NULL, NULL }
};
static const column_t s_handover_concern_columns [] = {
    { "DATE", "date" }, { "KIND", "kind" }, { "BY", "by" }, { "TEXT", "text" }, { NULL, NULL }
};
static const column_t s_handover_partner_columns [] = {
    { "NAME", "name" }, { "AGENCY", "agency" }, { "EMAIL", "email" }, { NULL, NULL }
};

//  The pack's fields, the cases still without a note, then one page per case

static void
s_print_handover (json_t *data)
{
    s_print_fields (data, s_handover_fields, s_handover_skip);
    json_t *no_note = json_object_get (data, "no_note");
    if (json_is_array (no_note)) {
        printf ("no note yet:");
        size_t index;
        json_t *ref;
        json_array_foreach (no_note, index, ref)
            printf (" %s", json_string_value (ref));
        printf ("%s\n", json_array_size (no_note)? "": " (every case has one)");
    }
    size_t index;
    json_t *page;
    json_array_foreach (json_object_get (data, "pages"), index, page) {
        const char *cover = json_string_value (json_object_get (page, "cover"));
        printf ("\n== %s (%s), covered by %s\n", json_string_value (json_object_get (page, "case")),
                json_string_value (json_object_get (page, "kind")), cover? cover: "nobody yet");
        json_t *note = json_object_get (page, "note");
        printf ("note: %s\n", json_is_object (note)? json_string_value (json_object_get (note, "text"))
                                                    : "(none yet)");
        json_t *last = json_object_get (page, "last_contact");
        if (json_is_object (last))
            printf ("last contact: %s, %s by %s\n", json_string_value (json_object_get (last, "date")),
                    json_string_value (json_object_get (last, "kind")),
                    json_string_value (json_object_get (last, "by")));
        json_t *visit = json_object_get (page, "next_visit");
        if (json_is_object (visit))
            printf ("next statutory visit: task %" JSON_INTEGER_FORMAT ", due %s\n",
                    json_integer_value (json_object_get (visit, "task")),
                    json_is_string (json_object_get (visit, "due"))?
                    json_string_value (json_object_get (visit, "due")): "-");
        s_print_section (page, "tasks", "open tasks", s_handover_task_columns);
        s_print_section (page, "meetings", "meetings", s_handover_meeting_columns);
        s_print_section (page, "concerns", "recent concerns and allegations", s_handover_concern_columns);
        s_print_section (page, "partners", "partners", s_handover_partner_columns);
    }
}

static const char *const s_check_fields [] = {
    "ref", "since", "until", "frequency_days", "ok", "recorded", "task", NULL
};
static const char *const s_check_skip [] = { "gaps", NULL };
static const column_t s_gap_columns [] = {
    { "CHECK", "check" }, { "MISSING", "detail" }, { NULL, NULL }
};

static void
s_print_case_check (json_t *data)
{
    s_print_fields (data, s_check_fields, s_check_skip);
    s_print_section (data, "gaps", "missing", s_gap_columns);
}

//  A case transfer: its fields, each consent, and the chronology check

static const char *const s_transfer_fields [] = {
    "id", "case", "status", "from_pod", "to_pod", "old_lead", "new_lead", "requested_by",
    "sending_pod", "receiving_pod", "refused_by", "visit", "location", "visit_task",
    "old_lead_released", "note", "done", NULL
};
static const char *const s_transfer_skip [] = {
    "requested", "sending_consent", "receiving_consent", "refused", "check", NULL
};

//  "alice.tm, Tue 1 Dec 2026 09:00[: reason]", or "not yet"
static json_t *
s_consent_text (json_t *consent)
{
    if (!json_is_object (consent))
        return json_string ("not yet");
    char *at = s_value_text (json_object_get (consent, "at"));
    json_t *reason = json_object_get (consent, "reason");
    char *text = zsys_sprintf ("%s, %s%s%s", json_string_value (json_object_get (consent, "by")), at,
                               json_is_string (reason)? ": ": "", json_is_string (reason)? json_string_value (reason): "");
    json_t *value = json_string (text);
    free (at);
    zstr_free (&text);
    return value;
}

static void
s_print_transfer (json_t *data)
{
    json_t *shown = json_deep_copy (data);
    json_object_set_new (shown, "requested_by", s_consent_text (json_object_get (data, "requested")));
    json_object_set_new (shown, "sending_pod", s_consent_text (json_object_get (data, "sending_consent")));
    json_object_set_new (shown, "receiving_pod", s_consent_text (json_object_get (data, "receiving_consent")));
    if (json_is_object (json_object_get (data, "refused")))
        json_object_set_new (shown, "refused_by", s_consent_text (json_object_get (data, "refused")));
    s_print_fields (shown, s_transfer_fields, s_transfer_skip);
    json_decref (shown);
    json_t *check = json_object_get (data, "check");
    if (json_is_object (check)) {
        printf ("\nchronology check since %s: %s\n", json_string_value (json_object_get (check, "since")),
                json_is_true (json_object_get (check, "ok"))? "complete": "gaps");
        if (json_array_size (json_object_get (check, "gaps")))
            s_print_items (json_object_get (check, "gaps"), s_gap_columns, 2);
        if (json_is_integer (json_object_get (check, "task")))
            printf ("  the lead is asked to complete it: task %" JSON_INTEGER_FORMAT "\n",
                    json_integer_value (json_object_get (check, "task")));
    }
}

static void
s_print_transfers (json_t *data)
{
    size_t index;
    json_t *item;
    json_array_foreach (s_items (data), index, item) {
        if (index)
            printf ("\n");
        s_print_transfer (item);
    }
    if (!json_array_size (s_items (data)))
        printf ("(no case transfers)\n");
    s_print_more (data, "case transfers");
}

static void
s_print_handover_note (json_t *data)
{
    json_t *note = json_object_get (data, "note");
    printf ("note for %s (absence %" JSON_INTEGER_FORMAT ") by %s: %s\n",
            json_string_value (json_object_get (data, "case")),
            json_integer_value (json_object_get (data, "absence")),
            json_string_value (json_object_get (note, "by")),
            json_string_value (json_object_get (note, "text")));
}

static const column_t s_notice_columns [] = {
    { "ID", "id" }, { "CREATED", "created" }, { "KIND", "kind" }, { "TEXT", "text" }, { NULL, NULL }
};

static void
s_print_notices (json_t *data)
{
    s_print_items (s_items (data), s_notice_columns, 0);
    s_print_more (data, "notices");
}

static const column_t s_kind_columns [] = {
    { "KIND", "kind" }, { "PRIORITY", "priority" }, { "DUE-HOURS", "due_hours" },
    { "MEETING", "meeting" }, { "REMIND-DAYS", "remind_days" }, { "ROLES", "roles" }, { NULL, NULL }
};

static void
s_print_task_kinds (json_t *data)
{
    s_print_items (s_items (data), s_kind_columns, 0);
}

//  --------------------------------------------------------------------------
//  Mail and reminder printers

static const char *const s_mail_fields [] = {
    "id", "state", "kind", "subject", "task", "message_id", "attempts", "queued",
    "next_attempt", "done", "last_error", NULL
};
static const char *const s_mail_skip [] = { "recipients", NULL };
static const char *const s_reminders_fields [] = { "task", "next", NULL };
static const char *const s_reminders_skip [] = { "sent", NULL };
static const column_t s_reminder_columns [] = {
    { "KIND", "kind" }, { "AT", "at" }, { "TO", "to" }, { "MAIL-STATE", "mail_state" },
    { NULL, NULL }
};

//  A message's recipients as text, one per line, indent spaces in front:
//  "ADDRESS  STATE  CODE  TEXT" (code and text left out until the server
//  has answered). NULL when there are none.

static char *
s_recipients_text (json_t *recipients, int indent)
{
    if (!json_is_array (recipients) || json_array_size (recipients) == 0)
        return NULL;
    table_t table;
    s_table_init (&table, 4);
    size_t index;
    json_t *rcpt;
    json_array_foreach (recipients, index, rcpt) {
        s_table_add_value (&table, json_object_get (rcpt, "address"));
        s_table_add_value (&table, json_object_get (rcpt, "state"));
        json_t *code = json_object_get (rcpt, "code");
        if (json_is_integer (code) && json_integer_value (code) > 0)
            s_table_add_value (&table, code);
        else
            s_table_add (&table, "");
        const char *text = json_string_value (json_object_get (rcpt, "text"));
        s_table_add (&table, text ? text : "");
    }
    return s_table_render (&table, indent);
}

//  "pending N, sent N, failed N", then "ID STATE KIND ATTEMPTS NEXT
//  SUBJECT" per message with its recipients indented under it. NEXT is
//  when a pending message is tried next.

static void
s_print_mail_queue (json_t *data)
{
    json_t *counts = json_object_get (data, "counts");
    const char *states [] = { "pending", "sent", "failed" };
    for (size_t i = 0; i < 3; i++) {
        char *count = s_line_field (counts, states [i]);
        printf ("%s%s %s", i ? ", " : "", states [i], count);
        free (count);
    }
    printf ("\n\n");
    table_t table;
    s_table_init (&table, 6);
    const char *heads [] = { "ID", "STATE", "KIND", "ATTEMPTS", "NEXT", "SUBJECT" };
    for (size_t col = 0; col < 6; col++)
        s_table_add (&table, heads [col]);
    size_t index;
    json_t *item;
    json_array_foreach (s_items (data), index, item) {
        const char *state = json_string_value (json_object_get (item, "state"));
        s_table_add_value (&table, json_object_get (item, "id"));
        s_table_add_value (&table, json_object_get (item, "state"));
        s_table_add_value (&table, json_object_get (item, "kind"));
        s_table_add_value (&table, json_object_get (item, "attempts"));
        if (state && streq (state, "pending"))
            s_table_add_value (&table, json_object_get (item, "next_attempt"));
        else
            s_table_add (&table, "-");
        s_table_add_value (&table, json_object_get (item, "subject"));
        char *recipients = s_recipients_text (json_object_get (item, "recipients"), 4);
        if (recipients)
            s_table_under (&table, recipients);
    }
    s_table_print (&table, stdout, 0);
    s_print_more (data, "mail queue");
}

//  One outbox message: its fields, then its recipients

static void
s_print_mail_item (json_t *data)
{
    s_print_fields (data, s_mail_fields, s_mail_skip);
    char *recipients = s_recipients_text (json_object_get (data, "recipients"), 2);
    if (recipients) {
        printf ("\nrecipients:\n%s", recipients);
        free (recipients);
    }
}

//  The task and its next reminder, then "KIND AT TO MAIL-STATE" per
//  reminder sent, oldest first

static void
s_print_reminders (json_t *data)
{
    s_print_fields (data, s_reminders_fields, s_reminders_skip);
    s_print_section (data, "sent", "sent", s_reminder_columns);
}

//  --------------------------------------------------------------------------
//  Partner and meeting printers

static const char *const s_partner_fields [] = {
    "email", "name", "agency", "agency_kind", "role", "aliases", NULL
};
static const column_t s_partner_columns [] = {
    { "EMAIL", "email" }, { "NAME", "name" }, { "AGENCY", "agency" },
    { "KIND", "agency_kind" }, { "ROLE", "role" }, { "ALIASES", "aliases" }, { NULL, NULL }
};
static const char *const s_meeting_fields [] = {
    "task", "case", "status", "start", "end", "location", "online", "sequence", "organiser",
    "uid", NULL
};
static const char *const s_meeting_skip [] = { "attendees", NULL };
static const column_t s_attendee_columns [] = {
    { "NAME", "name" }, { "EMAIL", "email" }, { "KIND", "kind" },
    { "PARTSTAT", "partstat" }, { "REPLIED", "replied" }, { NULL, NULL }
};

static void
s_print_partner (json_t *data)
{
    s_print_fields (data, s_partner_fields, NULL);
}

//  "EMAIL NAME AGENCY KIND ROLE ALIASES" per partner (after "case: REF"
//  when the reply names the case, as PARTNER-LINK and -UNLINK may)

static void
s_print_partner_list (json_t *data)
{
    json_t *ref = json_object_get (data, "case");
    if (json_is_string (ref)) {
        char *text = s_line_field (data, "case");
        printf ("case: %s\n\n", text);
        free (text);
    }
    s_print_items (s_items (data), s_partner_columns, 0);
    s_print_more (data, "partner list");
}

//  The meeting: time, place, sequence, status..., then one row per
//  attendee, "NAME EMAIL KIND PARTSTAT REPLIED" (REPLIED - until they do)

static void
s_print_meeting (json_t *data)
{
    s_print_fields (data, s_meeting_fields, s_meeting_skip);
    json_t *attendees = json_object_get (data, "attendees");
    printf ("\n");
    if (json_is_array (attendees) && json_array_size (attendees))
        s_print_items (attendees, s_attendee_columns, 0);
    else
        printf ("(no attendees)\n");
}

//  --------------------------------------------------------------------------
//  Practice standards printers

static const char *const s_event_fields [] = {
    "id", "case", "type", "date", "outcome", "carer", "author", "note", NULL
};
static const column_t s_event_task_columns [] = {
    { "ID", "id" }, { "STANDARD", "standard" }, { "KIND", "kind" },
    { "ASSIGNEE", "assignee" }, { "DUE", "due" }, { "TITLE", "title" }, { NULL, NULL }
};

//  A case event (CASE-EVENT: the event and the tasks its standards created;
//  CASE-EVENT-CORRECT: the event and the open tasks given a new due date)

static void
s_print_case_event (json_t *data)
{
    json_t *event = json_object_get (data, "event");
    s_print_fields (json_is_object (event) ? event : data, s_event_fields, NULL);
    const char *sections [][2] = {
        { "created", "tasks created" }, { "recomputed", "due dates recomputed" },
        { "replaced", "tasks replaced (moved, with the reason in their history)" },
        { "ended", "tasks ended (chain ended, reason in their history)" }
    };
    for (size_t i = 0; i < 4; i++) {
        json_t *tasks = json_object_get (data, sections [i][0]);
        if (!json_is_array (tasks))
            continue;
        printf ("\n%s:\n", sections [i][1]);
        if (json_array_size (tasks))
            s_print_items (tasks, s_event_task_columns, 2);
        else
            printf ("  (none)\n");
    }
    size_t index;
    json_t *warning;
    json_array_foreach (json_object_get (data, "warnings"), index, warning)
        printf ("\nwarning: %s\n", json_string_value (warning));
}

//  "ID CASE-KIND TRIGGER TIMESCALE TASK-KIND SOURCE" per standard; the
//  timescale says "before" when it counts back from the trigger, and a
//  figure that is a local choice rather than law is marked "(local)"

static void
s_print_standards (json_t *data)
{
    static const char *const heads [] = {
        "ID", "CASE-KIND", "TRIGGER", "TIMESCALE", "TASK-KIND", "SOURCE"
    };
    table_t table;
    s_table_init (&table, 6);
    for (size_t col = 0; col < 6; col++)
        s_table_add (&table, heads [col]);
    size_t index;
    json_t *item;
    json_array_foreach (s_items (data), index, item) {
        s_table_add_value (&table, json_object_get (item, "id"));
        s_table_add_value (&table, json_object_get (item, "case_kind"));
        s_table_add_value (&table, json_object_get (item, "trigger"));
        char *timescale = s_value_text (json_object_get (item, "timescale"));
        const char *counts = json_string_value (json_object_get (item, "counts"));
        bool before = counts && streq (counts, "before");
        bool recurring = json_is_true (json_object_get (item, "recurring"));
        s_table_add_owned (&table, zsys_sprintf ("%s%s%s", timescale,
                           before ? " before" : "", recurring ? ", recurring" : ""));
        free (timescale);
        s_table_add_value (&table, json_object_get (item, "task_kind"));
        char *source = s_value_text (json_object_get (item, "source"));
        if (json_is_true (json_object_get (item, "local_choice")))
            s_table_add_owned (&table, zsys_sprintf ("%s (local)", source));
        else
            s_table_add (&table, source);
        free (source);
    }
    s_table_print (&table, stdout, 0);
}

//  The audit trail: "WHEN WHO ACTION OBJECT CASE DETAIL", times in
//  Europe/London, the connection under each line; then how to page on

static void
s_print_audit (json_t *data)
{
    static const char *const heads [] = {
        "WHEN (LONDON)", "WHO", "ACTION", "OBJECT", "CASE", "DETAIL"
    };
    json_t *next = json_object_get (data, "next");
    if (json_array_size (s_items (data)) == 0) {
        printf ("no audit entries\n");
        return;
    }
    table_t table;
    s_table_init (&table, 6);
    for (size_t col = 0; col < 6; col++)
        s_table_add (&table, heads [col]);
    size_t index;
    json_t *item;
    json_array_foreach (s_items (data), index, item) {
        s_table_add_value (&table, json_object_get (item, "at"));
        s_table_add_value (&table, json_object_get (item, "actor"));
        s_table_add_value (&table, json_object_get (item, "action"));
        s_table_add_value (&table, json_object_get (item, "object"));
        s_table_add_value (&table, json_object_get (item, "case"));
        s_table_add_value (&table, json_object_get (item, "detail"));
        char *connection = s_line_field (item, "connection");
        s_table_under (&table, zsys_sprintf ("    from %s\n", connection));
        free (connection);
    }
    s_table_print (&table, stdout, 0);
    if (json_is_integer (next))
        printf ("\nmore: podctl audit ... --before %" JSON_INTEGER_FORMAT "\n",
                json_integer_value (next));
}

//  The four counts of a compliance line, as in the reply

static const char *const s_compliance_counts [] = {
    "on_time", "late", "overdue", "due_soon", NULL
};
//  ... and the two a standard's line has besides
static const char *const s_compliance_more [] = { "cancelled", "unassigned", NULL };

//  The tasks behind the report that no count may hide
static const column_t s_compliance_overdue_columns [] = {
    { "TASK", "task" }, { "CASE", "case" }, { "DUE", "due" }, { "HELD-BY", "assignee" },
    { "STANDARD", "standard" }, { "TITLE", "title" }, { NULL, NULL }
};
static const column_t s_compliance_cancelled_columns [] = {
    { "TASK", "task" }, { "CASE", "case" }, { "STANDARD", "standard" }, { "BY", "by" },
    { "AT", "at" }, { "REASON", "reason" }, { "TITLE", "title" }, { NULL, NULL }
};
static const column_t s_compliance_unassigned_columns [] = {
    { "TASK", "task" }, { "CASE", "case" }, { "DUE", "due" }, { "WHY", "why" },
    { "DECLINED-BY", "declined_by" }, { "TITLE", "title" }, { NULL, NULL }
};
static const column_t s_compliance_unattached_columns [] = {
    { "TASK", "task" }, { "CASE", "case" }, { "KIND", "kind" }, { "STATE", "state" },
    { "DUE", "due" }, { "TITLE", "title" }, { NULL, NULL }
};

static void
s_print_compliance_tasks (json_t *data, const char *key, const char *heading,
                          const column_t *columns)
{
    json_t *items = json_object_get (data, key);
    if (!json_is_array (items) || json_array_size (items) == 0)
        return;
    printf ("\n%s:\n", heading);
    s_print_items (items, columns, 2);
}

//  Readable compliance report: the period, then "STANDARD ON-TIME LATE
//  OVERDUE DUE-14D CANCELLED UNASSIGNED TITLE" per standard, the cases
//  behind each non-zero number, the tasks overdue, cancelled, held by
//  nobody or of a statutory kind with no standard, then the counts per
//  member

static void
s_print_compliance (json_t *data)
{
    static const char *const period [] = { "from", "to", "now", NULL };
    static const char *const skip [] = {
        "standards", "members", "overdue_tasks", "cancelled_tasks", "unassigned_tasks",
        "unattached_tasks", "missing_data", NULL
    };
    static const char *const labels [] = { "on time", "late", "overdue", "due soon" };
    s_print_fields (data, period, skip);
    printf ("\n");

    table_t table;
    s_table_init (&table, 8);
    static const char *const heads [] = {
        "STANDARD", "ON-TIME", "LATE", "OVERDUE", "DUE-14D", "CANCELLED", "UNASSIGNED", "TITLE"
    };
    for (size_t col = 0; col < 8; col++)
        s_table_add (&table, heads [col]);
    json_t *standards = json_object_get (data, "standards");
    size_t index;
    json_t *item;
    json_array_foreach (standards, index, item) {
        s_table_add_value (&table, json_object_get (item, "standard"));
        for (size_t i = 0; s_compliance_counts [i]; i++)
            s_table_add_value (&table, json_object_get (item, s_compliance_counts [i]));
        for (size_t i = 0; s_compliance_more [i]; i++)
            s_table_add_value (&table, json_object_get (item, s_compliance_more [i]));
        s_table_add_value (&table, json_object_get (item, "title"));
    }
    s_table_print (&table, stdout, 0);

    //  The cases behind the numbers that are not zero
    s_table_init (&table, 3);
    json_array_foreach (standards, index, item) {
        json_t *cases = json_object_get (item, "cases");
        for (size_t i = 0; s_compliance_counts [i]; i++) {
            json_t *count = json_object_get (item, s_compliance_counts [i]);
            json_t *refs = json_object_get (cases, s_compliance_counts [i]);
            if (json_integer_value (count) == 0
            &&  !(json_is_array (refs) && json_array_size (refs)))
                continue;
            s_table_add_value (&table, json_object_get (item, "standard"));
            s_table_add (&table, labels [i]);
            s_table_add_value (&table, refs);
        }
    }
    if (table.count) {
        printf ("\ncases:\n");
        s_table_print (&table, stdout, 2);
    }
    else
        s_table_print (&table, stdout, 0);      //  frees it; prints nothing

    s_print_compliance_tasks (data, "overdue_tasks", "overdue now, whatever the period",
                              s_compliance_overdue_columns);
    s_print_compliance_tasks (data, "cancelled_tasks", "cancelled", s_compliance_cancelled_columns);
    s_print_compliance_tasks (data, "unassigned_tasks", "held by nobody",
                              s_compliance_unassigned_columns);
    s_print_compliance_tasks (data, "unattached_tasks", "statutory tasks no standard is attached to",
                              s_compliance_unattached_columns);

    printf ("\n");
    s_table_init (&table, 5);
    static const char *const member_heads [] = {
        "MEMBER", "ON-TIME", "LATE", "OVERDUE", "DUE-14D"
    };
    for (size_t col = 0; col < 5; col++)
        s_table_add (&table, member_heads [col]);
    json_array_foreach (json_object_get (data, "members"), index, item) {
        s_table_add_value (&table, json_object_get (item, "member"));
        for (size_t i = 0; s_compliance_counts [i]; i++)
            s_table_add_value (&table, json_object_get (item, s_compliance_counts [i]));
    }
    s_table_print (&table, stdout, 0);

    //  Cases the standards cannot count on: data missing
    json_t *missing = json_object_get (data, "missing_data");
    if (json_array_size (missing)) {
        printf ("\nmissing data (standards that need it cannot apply):\n");
        s_table_init (&table, 2);
        json_array_foreach (missing, index, item) {
            s_table_add_value (&table, json_object_get (item, "case"));
            s_table_add_value (&table, json_object_get (item, "missing"));
        }
        s_table_print (&table, stdout, 2);
    }
}

//  One CSV field (RFC 4180): quoted, with quotes doubled, when it holds a
//  comma, a double quote, CR or LF; as it is otherwise. A JSON string is
//  written as is, an integer in decimal, anything else (null) as empty.

static void
s_csv_field (FILE *out, json_t *value, bool last)
{
    char *number = NULL;
    const char *text = "";
    if (json_is_string (value))
        text = json_string_value (value);
    else
    if (json_is_integer (value))
        text = number = zsys_sprintf ("%" JSON_INTEGER_FORMAT, json_integer_value (value));
    else
    if (json_is_boolean (value))
        text = json_is_true (value) ? "true" : "false";
    if (strpbrk (text, ",\"\r\n")) {
        fputc ('"', out);
        for (const char *s = text; *s; s++) {
            if (*s == '"')
                fputc ('"', out);
            fputc (*s, out);
        }
        fputc ('"', out);
    }
    else
        fputs (text, out);
    fputc (last ? '\n' : ',', out);
    free (number);
}

//  --csv: "standard,title,on_time,late,overdue,due_soon,cancelled,
//  unassigned" then a row per standard; a blank line;
//  "member,on_time,late,overdue,due_soon" then a row per member. Lines
//  end with LF.

static void
s_print_compliance_csv (json_t *data)
{
    printf ("standard,title,on_time,late,overdue,due_soon,cancelled,unassigned\n");
    size_t index;
    json_t *item;
    json_array_foreach (json_object_get (data, "standards"), index, item) {
        s_csv_field (stdout, json_object_get (item, "standard"), false);
        s_csv_field (stdout, json_object_get (item, "title"), false);
        for (size_t i = 0; s_compliance_counts [i]; i++)
            s_csv_field (stdout, json_object_get (item, s_compliance_counts [i]), false);
        for (size_t i = 0; s_compliance_more [i]; i++)
            s_csv_field (stdout, json_object_get (item, s_compliance_more [i]),
                         s_compliance_more [i + 1] == NULL);
    }
    printf ("\nmember,on_time,late,overdue,due_soon\n");
    json_array_foreach (json_object_get (data, "members"), index, item) {
        s_csv_field (stdout, json_object_get (item, "member"), false);
        for (size_t i = 0; s_compliance_counts [i]; i++)
            s_csv_field (stdout, json_object_get (item, s_compliance_counts [i]),
                         s_compliance_counts [i + 1] == NULL);
    }
}

//  --------------------------------------------------------------------------
//  Talking to podd

static bool
s_readable (const char *path)
{
    struct stat st;
    return access (path, R_OK) == 0 && stat (path, &st) == 0 && S_ISREG (st.st_mode);
}

//  Connect as configured; NULL with a message printed on failure

static podclient_t *
s_connect (config_t *cfg)
{
    if (cfg->insecure) {
        podclient_t *client = podclient_new (cfg->endpoint, NULL, NULL);
        if (!client)
            fprintf (stderr, "podctl: cannot connect to '%s'\n", cfg->endpoint);
        return client;
    }
    char secret [PATH_MAX + 8];
    if (snprintf (secret, sizeof (secret), "%s_secret", cfg->keyfile) >= (int) sizeof (secret))
        secret [0] = 0;             //  cut short it would name another file
    if (!s_readable (cfg->keyfile) || !s_readable (secret)) {
        fprintf (stderr, "podctl: cannot read key '%s' and '%s' "
                 "(use -k, $PODCTL_KEY, or 'podctl keygen')\n", cfg->keyfile, secret);
        return NULL;
    }
    if (!s_readable (cfg->servercert)) {
        fprintf (stderr, "podctl: cannot read server certificate '%s' "
                 "(use -s or $PODD_SERVER_CERT)\n", cfg->servercert);
        return NULL;
    }
    podclient_t *client = podclient_new (cfg->endpoint, cfg->keyfile, cfg->servercert);
    if (!client)
        fprintf (stderr, "podctl: cannot connect to '%s' with key '%s' and server "
                 "certificate '%s'\n", cfg->endpoint, cfg->keyfile, cfg->servercert);
    return client;
}

//  Report a failed request; returns the exit status

static int
s_failure (config_t *cfg, int status, const char *reason)
{
    if (status == 0) {
        if (zsys_interrupted)
            fprintf (stderr, "podctl: interrupted\n");
        else
            fprintf (stderr, "podctl: no answer from %s within %g s\n",
                     cfg->endpoint, cfg->timeout);
        return EXIT_NOANSWER;
    }
    char *clean = s_clean (reason ? reason : "", false);
    if (*clean)
        fprintf (stderr, "podctl: %d %s: %s\n", status, podp_status_text (status), clean);
    else
        fprintf (stderr, "podctl: %d %s\n", status, podp_status_text (status));
    free (clean);
    return EXIT_REPLY;
}

//  Send the command with the parsed arguments as body, print the reply

static int
s_request (const cmddef_t *cmd, config_t *cfg, json_t *args)
{
    podclient_t *client = s_connect (cfg);
    if (!client)
        return EXIT_USAGE;
    int status = 0;
    char reason [600];
    json_incref (args);
    json_t *data = podclient_request (client, cmd->command, args, cfg->timeout_ms,
                                      &status, reason, sizeof (reason));
    podclient_destroy (&client);
    if (!data)
        return s_failure (cfg, status, reason);
    if (cfg->json)
        s_print_json (data);
    else
        cmd->print (data);
    //  What podd did but wants people to know about (e.g. a child's case
    //  without a date of birth): on stderr, so --json output stays clean
    size_t index;
    json_t *warning;
    json_array_foreach (json_object_get (data, "warnings"), index, warning)
        if (json_is_string (warning))
            fprintf (stderr, "podctl: warning: %s\n", json_string_value (warning));
    json_decref (data);
    return EXIT_OK;
}

//  --------------------------------------------------------------------------
//  keygen NAME [--dir DIR]

static bool
s_valid_name (const char *name)
{
    size_t len = strlen (name);
    if (len < 1 || len > 32)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name [i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
               || (i > 0 && (c == '.' || c == '_' || c == '-'));
        if (!ok)
            return false;
    }
    return true;
}

//  mkdir -p with mode 0700 for every directory created

static int
s_make_dirs (const char *path)
{
    char buffer [PATH_MAX];
    if (snprintf (buffer, sizeof (buffer), "%s", path) >= (int) sizeof (buffer)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *s = buffer + 1; ; s++) {
        if (*s == '/' || *s == '\0') {
            char saved = *s;
            *s = '\0';
            if (mkdir (buffer, 0700) == -1 && errno != EEXIST)
                return -1;
            *s = saved;
            if (saved == '\0')
                break;
        }
    }
    struct stat st;
    if (stat (path, &st) == -1)
        return -1;
    if (!S_ISDIR (st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static int
s_keygen (const cmddef_t *cmd, config_t *cfg, json_t *args)
{
    const char *name = json_string_value (json_object_get (args, "name"));
    const char *dir = json_string_value (json_object_get (args, "dir"));
    if (!dir || !*dir)
        dir = DEFAULT_KEYDIR;
    if (!s_valid_name (name))
        return s_usage_error (cmd, NULL, "invalid NAME '%s': use 1 to 32 of a-z 0-9 . _ -, "
                              "starting with a letter or digit", name);
    if (!zsys_has_curve ()) {
        fprintf (stderr, "podctl: libzmq was built without CURVE support\n");
        return EXIT_USAGE;
    }
    char public_path [PATH_MAX];
    char secret_path [PATH_MAX + 8];
    if (snprintf (public_path, sizeof (public_path), "%s/%s.cert", dir, name)
            >= (int) sizeof (public_path) - 8) {
        fprintf (stderr, "podctl: directory name too long\n");
        return EXIT_USAGE;
    }
    snprintf (secret_path, sizeof (secret_path), "%s_secret", public_path);

    if (s_make_dirs (dir)) {
        fprintf (stderr, "podctl: cannot create directory '%s': %s\n", dir, strerror (errno));
        return EXIT_USAGE;
    }
    struct stat st;
    const char *exists = lstat (public_path, &st) == 0 ? public_path
                       : lstat (secret_path, &st) == 0 ? secret_path : NULL;
    if (exists) {
        fprintf (stderr, "podctl: '%s' already exists; not overwriting it\n", exists);
        return EXIT_USAGE;
    }
    //  Create both files exclusively with their final modes, then fill them
    int fd = open (public_path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd == -1) {
        fprintf (stderr, "podctl: cannot create '%s': %s\n", public_path, strerror (errno));
        return EXIT_USAGE;
    }
    close (fd);
    fd = open (secret_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd == -1) {
        fprintf (stderr, "podctl: cannot create '%s': %s\n", secret_path, strerror (errno));
        unlink (public_path);
        return EXIT_USAGE;
    }
    close (fd);

    zcert_t *cert = zcert_new ();
    assert (cert);
    zcert_set_meta (cert, "member", "%s", name);
    if (zcert_save_public (cert, public_path) || zcert_save_secret (cert, secret_path)) {
        fprintf (stderr, "podctl: cannot write '%s': %s\n", public_path, strerror (errno));
        unlink (public_path);
        unlink (secret_path);
        zcert_destroy (&cert);
        return EXIT_USAGE;
    }
    if (cfg->json) {
        json_t *data = json_pack ("{s:s,s:s,s:s,s:s}", "member", name,
                                  "public_key", zcert_public_txt (cert),
                                  "cert", public_path, "secret", secret_path);
        s_print_json (data);
        json_decref (data);
    }
    else {
        printf ("%s\n", zcert_public_txt (cert));
        fprintf (stderr, "podctl: wrote %s and %s (keep the secret file private)\n",
                 public_path, secret_path);
    }
    zcert_destroy (&cert);
    return EXIT_OK;
}

//  --------------------------------------------------------------------------
//  watch [--count N] [--no-ack]

//  Heartbeat interval and silence timeout from a WATCH reply

static void
s_watch_params (json_t *data, int *heartbeat, int *timeout)
{
    json_int_t value = json_integer_value (json_object_get (data, "heartbeat"));
    *heartbeat = value >= 100 && value <= 3600000 ? (int) value : 10000;
    value = json_integer_value (json_object_get (data, "timeout"));
    *timeout = value > *heartbeat && value <= 86400000 ? (int) value : 3 * *heartbeat;
    fprintf (stderr, "pending %" JSON_INTEGER_FORMAT "\n",
             json_integer_value (json_object_get (data, "pending")));
}

//  Print a push; returns true when it was a task delivery

static bool
s_print_push (config_t *cfg, podp_msg_t *push)
{
    json_t *body = podp_msg_body (push);
    bool is_task = streq (podp_msg_command (push), "TASK");
    if (cfg->json)
        s_print_json (body);
    else
    if (is_task) {
        json_t *task = json_object_get (body, "task");
        char *fields [10];
        fields [0] = s_line_field (body, "delivery");
        const char *names [] = { "id", "version", "state", "kind", "case", "assignee", "title",
                                 "due", "priority" };
        for (size_t i = 0; i < 9; i++)
            fields [i + 1] = s_line_field (task, names [i]);
        printf ("%s task %s v %s %s %s %s -> %s: %s (due %s, %s)\n", fields [0], fields [1],
                fields [2], fields [3], fields [4], fields [5], fields [6], fields [7], fields [8],
                fields [9]);
        for (size_t i = 0; i < 10; i++)
            free (fields [i]);
    }
    else {
        char *kind = s_line_field (body, "kind");
        char *text = s_line_field (body, "text");
        printf ("notice %s: %s\n", kind, text);
        free (kind);
        free (text);
    }
    fflush (stdout);
    return is_task;
}

//  A WATCH or HEARTBEAT refused: say so (in plain words when the key is
//  no longer accepted) and return the exit status

static int
s_watch_refused (config_t *cfg, const char *command, int status, const char *reason)
{
    if (status == PODP_UNAUTHENTICATED)
        fprintf (stderr, "podctl: podd no longer accepts this key (%s answered 401): "
                 "it may have been revoked; watch stops\n", command);
    return s_failure (cfg, status, reason);
}

//  Make the connection's session a watching one again (WATCH); returns
//  0, 1 when there was no answer (the caller carries on), or -1 with
//  *rc set when podd refused

static int
s_watch_again (const cmddef_t *cmd, config_t *cfg, podclient_t *client,
               int *heartbeat, int *timeout, int *rc)
{
    int status = 0;
    char reason [600];
    json_t *data = podclient_request (client, cmd->command, NULL, cfg->timeout_ms,
                                      &status, reason, sizeof (reason));
    if (data) {
        s_watch_params (data, heartbeat, timeout);
        json_decref (data);
        return 0;
    }
    if (status != 0) {
        *rc = s_watch_refused (cfg, cmd->command, status, reason);
        return -1;
    }
    return 1;
}

static int
s_watch (const cmddef_t *cmd, config_t *cfg, json_t *args)
{
    int64_t count = 0;              //  0 = no limit
    const char *count_text = json_string_value (json_object_get (args, "count"));
    if (count_text && (s_parse_uint (count_text, INT64_MAX / 2, &count) || count == 0))
        return s_usage_error (cmd, NULL, "--count needs a positive number, not '%s'",
                              count_text);
    bool ack = !json_is_true (json_object_get (args, "no_ack"));

    podclient_t *client = s_connect (cfg);
    if (!client)
        return EXIT_USAGE;
    int status = 0;
    char reason [600];
    json_t *data = podclient_request (client, cmd->command, NULL, cfg->timeout_ms,
                                      &status, reason, sizeof (reason));
    if (!data) {
        podclient_destroy (&client);
        return s_watch_refused (cfg, cmd->command, status, reason);
    }
    int heartbeat, timeout;
    s_watch_params (data, &heartbeat, &timeout);
    json_decref (data);

    int rc = EXIT_OK;
    int64_t printed = 0;
    bool lost = false;
    int64_t next_heartbeat = zclock_mono () + heartbeat;
    while (!zsys_interrupted) {
        int64_t now = zclock_mono ();
        if (now - podclient_last_seen (client) > timeout) {
            //  Silence: podd restarted or is gone. ZeroMQ reconnects by
            //  itself; a new WATCH makes a new session.
            if (!lost)
                fprintf (stderr, "podctl: no reply from %s for %d ms, re-sending WATCH\n",
                         cfg->endpoint, timeout);
            lost = true;
            int again = s_watch_again (cmd, cfg, client, &heartbeat, &timeout, &rc);
            if (again < 0)
                break;
            if (again == 0) {
                lost = false;
                next_heartbeat = zclock_mono () + heartbeat;
            }
            continue;
        }
        if (now >= next_heartbeat) {
            //  The reply says whether the session still watches (it
            //  expires after a silence, PROTOCOL section 13), or 401 when
            //  the key was revoked. No answer (within the silence timeout
            //  or -t, whichever is shorter): the silence check above.
            next_heartbeat = now + heartbeat;
            data = podclient_request (client, "HEARTBEAT", NULL,
                                      timeout < cfg->timeout_ms? timeout: cfg->timeout_ms,
                                      &status, reason, sizeof (reason));
            if (!data && status != 0) {
                rc = s_watch_refused (cfg, "HEARTBEAT", status, reason);
                break;
            }
            bool expired = data && json_is_false (json_object_get (data, "watching"));
            json_decref (data);
            if (expired) {
                fprintf (stderr, "podctl: the watching session expired, re-sending WATCH\n");
                if (s_watch_again (cmd, cfg, client, &heartbeat, &timeout, &rc) < 0)
                    break;
                next_heartbeat = zclock_mono () + heartbeat;
            }
            continue;
        }
        int64_t wait = next_heartbeat - now;
        int64_t silence_left = podclient_last_seen (client) + timeout + 1 - now;
        if (silence_left < wait)
            wait = silence_left;
        if (wait < 0)
            wait = 0;
        podp_msg_t *push = podclient_recv_push (client, (int) wait);
        if (!push)
            continue;
        //  Task deliveries and durable notices (those with a delivery) are
        //  acknowledged once printed: everything that has arrived is
        //  printed, then acknowledged in one ACK; --count counts task
        //  deliveries
        json_t *shown = json_array ();
        bool enough = false;
        while (push) {
            bool is_task = s_print_push (cfg, push);
            int64_t delivery = podp_msg_int (push, "delivery", -1);
            if (ack && delivery >= 0)
                json_array_append_new (shown, json_integer (delivery));
            podp_msg_destroy (&push);
            if (is_task && count && ++printed >= count) {
                enough = true;
                break;
            }
            if (json_array_size (shown) >= PODP_ACK_ITEMS)
                break;
            push = podclient_recv_push (client, 0);
        }
        fflush (stdout);
        if (enough && json_array_size (shown)) {
            //  The last ACK before leaving waits for its reply: the
            //  connection closes at once after it
            int ack_status = 0;
            json_decref (podclient_request (client, "ACK", json_pack ("{s:o}", "deliveries", shown),
                                            cfg->timeout_ms, &ack_status, reason, sizeof (reason)));
        }
        else
            podclient_ack (client, shown);
        if (enough)
            break;
    }
    podclient_destroy (&client);
    return rc;
}

//  --------------------------------------------------------------------------
//  ingest-mail < MESSAGE

//  RFC 4648 base64 (standard alphabet, '=' padding, no line breaks) of
//  size octets at data. Returns a new NUL-terminated string.

static char *
s_base64 (const unsigned char *data, size_t size)
{
    static const char alphabet [] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = (char *) malloc ((size + 2) / 3 * 4 + 1);
    assert (out);
    char *o = out;
    size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        uint32_t v = (uint32_t) data [i] << 16 | (uint32_t) data [i + 1] << 8 | data [i + 2];
        *o++ = alphabet [v >> 18];
        *o++ = alphabet [(v >> 12) & 63];
        *o++ = alphabet [(v >> 6) & 63];
        *o++ = alphabet [v & 63];
    }
    if (size - i == 1) {
        uint32_t v = (uint32_t) data [i] << 16;
        *o++ = alphabet [v >> 18];
        *o++ = alphabet [(v >> 12) & 63];
        *o++ = '=';
        *o++ = '=';
    }
    else
    if (size - i == 2) {
        uint32_t v = (uint32_t) data [i] << 16 | (uint32_t) data [i + 1] << 8;
        *o++ = alphabet [v >> 18];
        *o++ = alphabet [(v >> 12) & 63];
        *o++ = alphabet [(v >> 6) & 63];
        *o++ = '=';
    }
    *o = '\0';
    return out;
}

//  Read all of standard input, at most max octets. Returns a new buffer
//  and its size, or NULL with a message printed (read error, too large).

static unsigned char *
s_read_stdin (size_t max, size_t *size)
{
    unsigned char *buffer = (unsigned char *) malloc (max + 1);
    assert (buffer);
    size_t used = 0;
    while (used <= max) {
        ssize_t got = read (STDIN_FILENO, buffer + used, max + 1 - used);
        if (got == 0)
            break;
        if (got < 0) {
            if (errno == EINTR && !zsys_interrupted)
                continue;
            fprintf (stderr, "podctl: cannot read standard input: %s\n", strerror (errno));
            free (buffer);
            return NULL;
        }
        used += (size_t) got;
    }
    if (used > max) {
        fprintf (stderr, "podctl: message on standard input is larger than %zu octets; "
                 "not sent\n", max);
        free (buffer);
        return NULL;
    }
    *size = used;
    return buffer;
}

static int
s_ingest_mail (const cmddef_t *cmd, config_t *cfg, json_t *args)
{
    (void) args;
    size_t size = 0;
    unsigned char *mail = s_read_stdin (INGEST_MAX, &size);
    if (!mail)
        return EXIT_USAGE;
    //  A pipe from .forward, procmail or Postfix (flag F) may put an mbox
    //  "From " envelope line first; it is not part of the message
    size_t skip = 0;
    if (size >= 5 && memcmp (mail, "From ", 5) == 0) {
        unsigned char *eol = (unsigned char *) memchr (mail, '\n', size);
        skip = eol ? (size_t) (eol - mail) + 1 : size;
    }
    if (size - skip == 0) {
        free (mail);
        fprintf (stderr, "podctl: no message on standard input\n");
        return EXIT_USAGE;
    }
    char *encoded = s_base64 (mail + skip, size - skip);
    free (mail);
    if (!cfg->timeout_given) {
        cfg->timeout = INGEST_TIMEOUT;
        cfg->timeout_ms = (int) (INGEST_TIMEOUT * 1000);
    }
    podclient_t *client = s_connect (cfg);
    if (!client) {
        free (encoded);
        return EXIT_USAGE;
    }
    int status = 0;
    char reason [600];
    json_t *body = json_object ();
    json_object_set_new (body, "message", json_string_nocheck (encoded));
    free (encoded);
    json_t *data = podclient_request (client, cmd->command, body, cfg->timeout_ms,
                                      &status, reason, sizeof (reason));
    podclient_destroy (&client);
    if (!data) {
        //  The mail server keeps a message whose command exits 75 and
        //  tries again; any other failure bounces it
        int rc = s_failure (cfg, status, reason);
        return status == 0 || status == PODP_UNAVAILABLE? EXIT_TEMPFAIL: rc;
    }
    if (cfg->json)
        s_print_json (data);
    else {
        char *attendee = s_line_field (data, "attendee");
        char *partstat = s_line_field (data, "partstat");
        char *task = s_line_field (data, "task");
        printf ("accepted: %s %s (task %s)\n", attendee, partstat, task);
        free (attendee);
        free (partstat);
        free (task);
    }
    json_decref (data);
    return EXIT_OK;
}

//  --------------------------------------------------------------------------
//  Continuity

static void
s_number (FILE *out, json_t *value, const char *none)
{
    if (json_is_integer (value))
        fprintf (out, "%" JSON_INTEGER_FORMAT, json_integer_value (value));
    else
    if (json_is_real (value))
        fprintf (out, "%.3f", json_real_value (value));
    else
        fputs (none, out);
}

static const char *s_continuity_columns [] = {
    "ref", "lead", "days", "contacts", "workers", "leads", "lead_changes", "known_contacts",
    "standards_tasks", "known_standards", "known_rate", "uncovered_days", "no_lead_days", NULL
};

static void
s_print_continuity_csv (json_t *data)
{
    for (size_t i = 0; s_continuity_columns [i]; i++)
        printf ("%s,", s_continuity_columns [i]);
    printf ("handover_visits,worst_days_to_first_contact\n");
    size_t index;
    json_t *item;
    json_array_foreach (json_object_get (data, "cases"), index, item) {
        for (size_t i = 0; s_continuity_columns [i]; i++) {
            json_t *value = json_object_get (item, s_continuity_columns [i]);
            if (json_is_real (value)) {
                s_number (stdout, value, "");
                putchar (',');
            }
            else
                s_csv_field (stdout, value, false);
        }
        int visits = 0;
        json_int_t worst = -1;
        size_t c;
        json_t *change;
        json_array_foreach (json_object_get (item, "changes"), c, change) {
            visits += json_is_true (json_object_get (change, "handover_visit"));
            json_t *days = json_object_get (change, "days_to_first_contact");
            if (json_is_integer (days) && json_integer_value (days) > worst)
                worst = json_integer_value (days);
        }
        printf ("%d,", visits);
        if (worst >= 0)
            printf ("%" JSON_INTEGER_FORMAT, worst);
        putchar ('\n');
    }
}

static void
s_print_continuity (json_t *data)
{
    printf ("Continuity in pod %s, %s to %s\n\n", json_string_value (json_object_get (data, "pod")),
            json_string_value (json_object_get (data, "from")), json_string_value (json_object_get (data, "to")));
    printf ("%-16s %-14s %5s %8s %7s %5s %7s %6s %9s %7s\n", "CASE", "LEAD", "DAYS", "CONTACTS",
            "WORKERS", "LEADS", "CHANGES", "KNOWN", "UNCOVERED", "NO-LEAD");
    size_t index;
    json_t *item;
    json_array_foreach (json_object_get (data, "cases"), index, item) {
        json_t *lead = json_object_get (item, "lead");
        printf ("%-16s %-14s %5lld %8lld %7lld %5lld %7lld ", json_string_value (json_object_get (item, "ref")),
                json_is_string (lead)? json_string_value (lead): "-",
                (long long) json_integer_value (json_object_get (item, "days")),
                (long long) json_integer_value (json_object_get (item, "contacts")),
                (long long) json_integer_value (json_object_get (item, "workers")),
                (long long) json_integer_value (json_object_get (item, "leads")),
                (long long) json_integer_value (json_object_get (item, "lead_changes")));
        json_t *rate = json_object_get (item, "known_rate");
        if (json_is_number (rate))
            printf ("%5.0f%% ", json_number_value (rate) * 100);
        else
            printf ("%6s ", "-");
        printf ("%9lld %7lld\n", (long long) json_integer_value (json_object_get (item, "uncovered_days")),
                (long long) json_integer_value (json_object_get (item, "no_lead_days")));
        size_t c;
        json_t *change;
        json_array_foreach (json_object_get (item, "changes"), c, change) {
            json_t *days = json_object_get (change, "days_to_first_contact");
            printf ("    lead %s -> %s on %s (set by %s): handover visit %s, ",
                    json_string_value (json_object_get (change, "from")),
                    json_string_value (json_object_get (change, "to")),
                    json_string_value (json_object_get (change, "date")),
                    json_string_value (json_object_get (change, "set_by")),
                    json_is_true (json_object_get (change, "handover_visit"))? "yes": "no");
            if (json_is_integer (days))
                printf ("first contact after %lld day(s)\n", (long long) json_integer_value (days));
            else
                printf ("no contact by the new lead yet\n");
        }
    }
    printf ("\n%-14s %-26s %5s %9s %8s %6s %6s %6s\n", "MEMBER", "ROLE", "LED", "CONTACTED", "CONTACTS",
            "KNOWN", "BECAME", "HANDED");
    json_array_foreach (json_object_get (data, "members"), index, item) {
        printf ("%-14s %-26s %5lld %9lld %8lld ", json_string_value (json_object_get (item, "member")),
                json_string_value (json_object_get (item, "role")),
                (long long) json_integer_value (json_object_get (item, "cases_led")),
                (long long) json_integer_value (json_object_get (item, "cases_contacted")),
                (long long) json_integer_value (json_object_get (item, "contacts")));
        json_t *rate = json_object_get (item, "known_rate");
        if (json_is_number (rate))
            printf ("%5.0f%% ", json_number_value (rate) * 100);
        else
            printf ("%6s ", "-");
        printf ("%6lld %6lld\n", (long long) json_integer_value (json_object_get (item, "became_lead")),
                (long long) json_integer_value (json_object_get (item, "handed_on")));
    }
    json_t *distribution = json_object_get (data, "distribution");
    printf ("\nPod distribution over %lld case(s): median, worst tenth, the cases behind the worst\n",
            (long long) json_integer_value (json_object_get (distribution, "cases")));
    static const char *measures [] = { "workers", "lead_changes", "known_rate", "uncovered_days",
                                       "no_lead_days", "days_to_first_contact", NULL };
    for (size_t m = 0; measures [m]; m++) {
        json_t *spread = json_object_get (distribution, measures [m]);
        printf ("  %-22s ", measures [m]);
        if (!json_integer_value (json_object_get (spread, "cases"))) {
            printf ("no cases to measure\n");
            continue;
        }
        s_number (stdout, json_object_get (spread, "median"), "-");
        printf (", ");
        s_number (stdout, json_object_get (spread, "worst_tenth"), "-");
        printf (" (%lld cases):", (long long) json_integer_value (json_object_get (spread, "cases")));
        size_t r;
        json_t *ref;
        json_array_foreach (json_object_get (spread, "worst_cases"), r, ref)
            printf (" %s", json_string_value (ref));
        printf ("\n");
    }
}

//  --------------------------------------------------------------------------
//  The reports: report compliance and continuity [...] [--csv | --json]

typedef void (s_printer_fn) (json_t *data);
static const struct {
    const char *command;
    s_printer_fn *text, *csv;
} s_reports [] = {
    { "REPORT-COMPLIANCE", s_print_compliance, s_print_compliance_csv },
    { "CONTINUITY", s_print_continuity, s_print_continuity_csv },
};

static int
s_report (const cmddef_t *cmd, config_t *cfg, json_t *args)
{
    size_t report = 0;
    while (report < sizeof s_reports / sizeof s_reports [0] - 1
       &&  !streq (s_reports [report].command, cmd->command))
        report++;
    assert (streq (s_reports [report].command, cmd->command));
    bool csv = json_is_true (json_object_get (args, "csv"));
    if (csv && cfg->json)
        return s_usage_error (cmd, NULL, "--csv and --json cannot be combined");
    json_t *body = json_deep_copy (args);
    json_object_del (body, "csv");          //  ours, not a protocol field
    podclient_t *client = s_connect (cfg);
    if (!client) {
        json_decref (body);
        return EXIT_USAGE;
    }
    int status = 0;
    char reason [600];
    json_t *data = podclient_request (client, cmd->command, body, cfg->timeout_ms,
                                      &status, reason, sizeof (reason));
    podclient_destroy (&client);
    if (!data)
        return s_failure (cfg, status, reason);
    if (cfg->json)
        s_print_json (data);
    else
        (csv? s_reports [report].csv: s_reports [report].text) (data);
    json_decref (data);
    return EXIT_OK;
}

//  "CASE -> LEAD - REASON [handover visit: task N]"
static void
s_print_leave_service (json_t *data)
{
    printf ("%s leaves the service from %s: plan %s\n", json_string_value (json_object_get (data, "member")),
            json_string_value (json_object_get (data, "from")),
            json_is_true (json_object_get (data, "accepted"))? "accepted": "proposed (--accept stores it)");
    size_t index;
    json_t *line;
    json_array_foreach (json_object_get (data, "lines"), index, line) {
        json_t *lead = json_object_get (line, "lead"), *task = json_object_get (line, "handover_task");
        printf ("  %s -> %s - %s", json_string_value (json_object_get (line, "case")),
                json_is_string (lead)? json_string_value (lead): "nobody",
                json_string_value (json_object_get (line, "reason")));
        if (json_is_integer (task))
            printf (" [handover visit: task %lld]", (long long) json_integer_value (task));
        printf ("\n");
    }
}

//  --------------------------------------------------------------------------

int
main (int argc, char *argv [])
{
    config_t cfg;
    s_config_init (&cfg);

    //  Global options before the command
    int index = 1;
    while (index < argc && argv [index][0] == '-' && argv [index][1] != '\0') {
        if (streq (argv [index], "--")) {
            index++;
            break;
        }
        int rc = s_global_option (&cfg, NULL, argc, argv, &index);
        if (rc == 2) {
            s_help (stdout);
            return EXIT_OK;
        }
        if (rc == 0)
            return s_usage_error (NULL, NULL, "unknown option '%s'", argv [index]);
        if (rc < 0)
            return EXIT_USAGE;
    }
    if (index >= argc)
        return s_usage_error (NULL, NULL, "no command given");

    const char *word = argv [index++];
    if (streq (word, "help")) {
        s_help (stdout);
        return EXIT_OK;
    }
    const cmddef_t *cmd = NULL;
    if (s_is_group (word) && (index >= argc || argv [index][0] == '-')
    &&  s_command_find (NULL, word))
        cmd = s_command_find (NULL, word);     //  "handover [--absence ID]" beside "handover note"
    else
    if (s_is_group (word)) {
        if (index >= argc || argv [index][0] == '-')
            return s_usage_error (NULL, word, "%s: missing subcommand", word);
        cmd = s_command_find (word, argv [index]);
        if (!cmd)
            return s_usage_error (NULL, word, "%s: unknown subcommand '%s'",
                                  word, argv [index]);
        index++;
    }
    else {
        cmd = s_command_find (NULL, word);
        if (!cmd)
            return s_usage_error (NULL, NULL, "unknown command '%s'", word);
    }

    json_t *args = json_object ();
    int rc = s_parse_args (cmd, &cfg, argc, argv, index, args);
    if (rc == -2) {
        s_help (stdout);
        rc = EXIT_OK;
    }
    else
    if (rc == 0)
        rc = cmd->handler ? cmd->handler (cmd, &cfg, args) : s_request (cmd, &cfg, args);
    json_decref (args);

    if (fflush (stdout) != 0 || ferror (stdout)) {
        fprintf (stderr, "podctl: cannot write output: %s\n", strerror (errno));
        if (rc == EXIT_OK)
            rc = EXIT_USAGE;
    }
    return rc;
}
