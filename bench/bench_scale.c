/*  bench_scale.c - does podd stay as fast with 1M tasks as with 10k?

    Prints figures and ratios, never pass/fail.

    Populates a fresh database (created by podd_store_new, so with podd's
    own schema) through the store API: the pods and members of the given
    podd configuration, then cases and tasks (one history row each), in
    transactions of about 10k tasks. The shape stays that of a working
    service as it grows: cases are opened in time order and closed after
    a while (OPEN_CASES stay open), each has TASKS/CASES tasks, and only the
    newest task of each of the LIVE_CASES newest cases is live (offered or
    accepted); older tasks are done (or cancelled). So a member's live work
    is the same size at every checkpoint: only the history grows.

    At each checkpoint (SMALL tasks, then TASKS tasks) it starts the real
    podd on that database (fork/exec PODD -f -c CONFIG), measures through
    podclient, one request at a time, N requests each:
      list_mine       TASK-LIST (scope mine) as the worker
      list_pod        TASK-LIST scope pod as the creator (team manager)
      task_new_lead   TASK-NEW on a case led by the worker (routing + commit)
      task_new_route  TASK-NEW on an unallocated case: the whole routing
                      chain down to "lowest open load" (routing + commit)
    then podd's VmRSS and VmHWM, and stops it. Between checkpoints the live
    tasks of the first are closed, so both see the same live work.

    usage: bench_scale -P PODD -c CONFIG -k KEYDIR -C CREATOR -w WORKER
                       [-t TASKS] [-a CASES] [-m SMALL] [-n REQUESTS]
                       [-l PODD_LOG] [-o SUMMARY_FILE]
    KEYDIR holds CREATOR.cert(_secret) and WORKER.cert(_secret), registered
    with podd (certs directory of CONFIG).
*/
#include <czmq.h>
#include <jansson.h>
#include <time.h>
#include <getopt.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include "podp.h"
#include "podclient.h"
#include "benchlib.h"
#include "store.h"
#include "config.h"
#include "when.h"

#define OPEN_CASES          600     /* cases open at any time */
#define LIVE_CASES          600     /* newest cases whose last task is live */
#define COMMIT_TASKS        10000   /* tasks per transaction while populating */
#define POD_MEMBERS_MAX     256
#define YEARS_OF_HISTORY    5
#define WARMUP_REQUESTS     20
#define REQUEST_TIMEOUT_MS  10000
#define START_TIMEOUT_MS    30000
#define STOP_TIMEOUT_MS     10000
#define OP_SECONDS_MAX      60      /* bound on each measured operation */
#define RETIRE_ROUNDS_MAX   1000

//  "10k", "1M", "1.5M", "999"
static void
s_count_label (size_t count, char *buf, size_t size)
{
    if (count >= 1000000)
        snprintf (buf, size, count % 1000000? "%.1fM": "%.0fM", (double) count / 1e6);
    else
    if (count >= 1000)
        snprintf (buf, size, count % 1000? "%.1fk": "%.0fk", (double) count / 1e3);
    else
        snprintf (buf, size, "%zu", count);
}

//  --------------------------------------------------------------------------
//  A pod as the populator sees it

typedef struct {
    int64_t id;
    char name [33];
    int64_t manager_id;
    size_t member_count;
    int64_t member_ids [POD_MEMBERS_MAX];
    const char *member_roles [POD_MEMBERS_MAX];     /* podd_roles entries */
    size_t lead_count;          /* members who may lead a case */
    int64_t lead_ids [POD_MEMBERS_MAX];
    size_t next_lead;
    size_t next_helper;
} pod_t;

//  Results of one operation at one checkpoint
typedef struct {
    const char *name;
    size_t ok;
    size_t errors;
    char last_error [200];
    double mean_ms, p50_ms, p99_ms, max_ms;
    size_t items;               /* list length or 0 */
    char note [160];            /* e.g. the routing reason */
} op_result_t;

#define OP_COUNT 4
typedef struct {
    const char *key;            /* "small" / "large": summary keys */
    char label [16];            /* "10k" / "1M" */
    size_t tasks, cases;
    double db_mb;
    double start_s;             /* podd start until it answered */
    op_result_t ops [OP_COUNT];
    double vmrss_mb, vmhwm_mb;
    bool ok;
} checkpoint_t;

//  --------------------------------------------------------------------------
//  scale: the whole run

typedef struct {
    //  Arguments
    const char *podd_path;
    const char *config_path;
    const char *key_dir;
    const char *creator;
    const char *worker;
    const char *log_path;
    size_t tasks_total;
    size_t cases_total;
    size_t tasks_small;
    size_t requests;
    //  State
    podd_config_t *config;
    podd_store_t *store;
    pod_t *pods;
    size_t pod_count;
    size_t pod_member_total;    /* members who belong to a pod */
    int64_t *case_ids;          /* by case index */
    size_t cases_done;
    size_t tasks_done;
    size_t tasks_per_case;
    int64_t epoch;              /* opening time of case 0 */
    int64_t spacing;            /* seconds between case openings */
    int64_t now;
    int64_t worker_id;
    int64_t worker_pod_id;
    pid_t podd_pid;
    FILE *summary;
} scale_t;

static void
s_scale_destroy (scale_t *self)
{
    podd_store_destroy (&self->store);
    podd_config_destroy (&self->config);
    free (self->pods);
    free (self->case_ids);
    if (self->summary)
        fclose (self->summary);
}

static void
s_put (scale_t *self, const char *label, const char *key, double value)
{
    if (self->summary)
        fprintf (self->summary, "scale.%s.%s %.3f\n", label, key, value);
}

static int
s_store_open (scale_t *self)
{
    char err [512];
    self->store = podd_store_new (podd_config_database (self->config), err, sizeof err);
    if (!self->store) {
        fprintf (stderr, "bench_scale: %s\n", err);
        return -1;
    }
    return 0;
}

static pod_t *
s_pod_by_id (scale_t *self, int64_t id)
{
    for (size_t i = 0; i < self->pod_count; i++)
        if (self->pods [i].id == id)
            return &self->pods [i];
    return NULL;
}

static bool
s_role_may (podd_kind_t *kind, const char *role)
{
    int index = podd_role_index (role);
    return index >= 0 && (kind->roles & (1u << index));
}

//  The configured pods and members, written as podd's bootstrap does
static int
s_bootstrap (scale_t *self)
{
    podd_config_t *config = self->config;
    if (podd_store_begin (self->store))
        return -1;
    for (size_t i = 0; i < podd_config_pod_count (config); i++) {
        podd_pod_cfg_t *pod = podd_config_pod_at (config, i);
        if (podd_store_pod_upsert (self->store, pod->name, pod->title, pod->mailbox))
            goto failed;
    }
    self->pod_count = podd_config_pod_count (config);
    self->pods = (pod_t *) zmalloc ((self->pod_count? self->pod_count: 1) * sizeof (pod_t));
    for (size_t i = 0; i < self->pod_count; i++) {
        podd_pod_t pod;
        if (podd_store_pod_by_name (self->store, podd_config_pod_at (config, i)->name, &pod))
            goto failed;
        self->pods [i].id = pod.id;
        snprintf (self->pods [i].name, sizeof self->pods [i].name, "%s", pod.name);
    }
    for (size_t i = 0; i < podd_config_member_count (config); i++) {
        podd_member_cfg_t *m = podd_config_member_at (config, i);
        podd_pod_t pod = { 0 };
        if (m->pod && podd_store_pod_by_name (self->store, m->pod, &pod))
            goto failed;
        int64_t id = podd_store_member_upsert (self->store, m->handle, m->name, m->email,
                                               podd_roles [m->role], pod.id, m->skills,
                                               m->pattern, m->admin);
        if (id < 0)
            goto failed;
        pod_t *p = s_pod_by_id (self, pod.id);
        if (!p || p->member_count >= POD_MEMBERS_MAX)
            continue;
        p->member_ids [p->member_count] = id;
        p->member_roles [p->member_count++] = podd_roles [m->role];
        self->pod_member_total++;
        if (streq (podd_roles [m->role], "team-manager")) {
            if (!p->manager_id)
                p->manager_id = id;
        }
        if (streq (podd_roles [m->role], "team-manager")
        ||  streq (podd_roles [m->role], "senior-practitioner")
        ||  streq (podd_roles [m->role], "social-worker"))
            p->lead_ids [p->lead_count++] = id;
        if (streq (m->handle, self->worker)) {
            self->worker_id = id;
            self->worker_pod_id = pod.id;
        }
    }
    for (size_t i = 0; i < podd_config_pod_count (config); i++) {
        podd_pod_cfg_t *pod_cfg = podd_config_pod_at (config, i);
        podd_member_t duty = { 0 };
        if ((pod_cfg->duty && podd_store_member_by_handle (self->store, pod_cfg->duty, &duty))
        ||  podd_store_pod_set_duty (self->store, self->pods [i].id, duty.id))
            goto failed;
    }
    if (podd_store_commit (self->store))
        goto failed;
    if (!self->worker_id || !self->pod_member_total) {
        fprintf (stderr, "bench_scale: worker %s is not a pod member in %s\n",
                 self->worker, self->config_path);
        return -1;
    }
    for (size_t i = 0; i < self->pod_count; i++)
        if (!self->pods [i].lead_count || !self->pods [i].manager_id) {
            fprintf (stderr, "bench_scale: pod %s has no team manager or no lead worker\n",
                     self->pods [i].name);
            return -1;
        }
    return 0;
failed:
    fprintf (stderr, "bench_scale: bootstrap: %s\n", podd_store_errmsg (self->store));
    podd_store_rollback (self->store);
    return -1;
}

//  Pod of case index c: pods take cases in proportion to their members
static pod_t *
s_pod_for_case (scale_t *self, size_t c)
{
    size_t slot = c % self->pod_member_total;
    for (size_t i = 0; i < self->pod_count; i++) {
        if (slot < self->pods [i].member_count)
            return &self->pods [i];
        slot -= self->pods [i].member_count;
    }
    return &self->pods [0];
}

//  Who does a task of this kind on a case led by lead_id
static int64_t
s_assignee (pod_t *pod, podd_kind_t *kind, int64_t lead_id, const char *lead_role)
{
    if (s_role_may (kind, lead_role))
        return lead_id;
    for (size_t tries = 0; tries < pod->member_count; tries++) {
        size_t i = pod->next_helper++ % pod->member_count;
        if (s_role_may (kind, pod->member_roles [i]))
            return pod->member_ids [i];
    }
    return pod->manager_id;
}

static const char *
s_role_of (pod_t *pod, int64_t id)
{
    for (size_t i = 0; i < pod->member_count; i++)
        if (pod->member_ids [i] == id)
            return pod->member_roles [i];
    return "";
}

//  Add cases and their tasks up to cases_target cases
static int
s_populate (scale_t *self, size_t cases_target)
{
    size_t kind_count = podd_config_kind_count (self->config);
    size_t since_commit = 0;
    int64_t started = bench_now_ns ();
    if (podd_store_begin (self->store))
        goto failed;
    for (size_t c = self->cases_done; c < cases_target; c++) {
        pod_t *pod = s_pod_for_case (self, c);
        int64_t lead = pod->lead_ids [pod->next_lead++ % pod->lead_count];
        const char *lead_role = s_role_of (pod, lead);
        int64_t opened = self->epoch + (int64_t) c * self->spacing;
        char ref [32];
        snprintf (ref, sizeof ref, "SC-%07zu", c);
        int64_t case_id = podd_store_case_open (self->store, ref, c % 5 == 4? "carer-household": "child",
                                                pod->id, lead, "", opened);
        if (case_id < 0)
            goto failed;
        self->case_ids [c] = case_id;
        if (c >= OPEN_CASES
        &&  podd_store_case_close (self->store, self->case_ids [c - OPEN_CASES], "finished", opened))
            goto failed;
        bool live_case = c + LIVE_CASES >= cases_target;
        for (size_t k = 0; k < self->tasks_per_case; k++) {
            size_t i = c * self->tasks_per_case + k;
            podd_kind_t *kind = podd_config_kind_at (self->config, i % kind_count);
            int64_t assignee = s_assignee (pod, kind, lead, lead_role);
            int64_t created = opened + (int64_t) k * 3600;
            int64_t due = created + (int64_t) kind->due_hours * 3600;
            bool live = live_case && k + 1 == self->tasks_per_case;
            const char *state = live? (i % 5 < 3? "offered": "accepted")
                                    : (i % 10 == 0? "cancelled": "done");
            const char *event = streq (state, "offered")? "routed": state;
            char title [64];
            snprintf (title, sizeof title, "%s for %s (%zu)", kind->name, ref, k + 1);
            int64_t id = podd_store_task_new (self->store, case_id, kind->name, title, due,
                                              kind->urgent? "urgent": "routine",
                                              pod->manager_id, created);
            if (id < 0
            ||  podd_store_task_set (self->store, id, state, assignee, created + 60)
            ||  podd_store_task_history_add (self->store, id, streq (state, "offered")?
                                             pod->manager_id: assignee, event, assignee,
                                             "", created + 60))
                goto failed;
            self->tasks_done++;
            since_commit++;
        }
        self->cases_done = c + 1;
        if (since_commit >= COMMIT_TASKS) {
            if (podd_store_commit (self->store) || podd_store_begin (self->store))
                goto failed;
            since_commit = 0;
        }
        if (zsys_interrupted)
            goto failed;
    }
    if (podd_store_commit (self->store))
        goto failed;
    double seconds = (double) (bench_now_ns () - started) / 1e9;
    printf ("  populated to %zu cases, %zu tasks (+%zu history rows) in %.1f s\n",
            self->cases_done, self->tasks_done, self->tasks_done, seconds);
    return 0;
failed:
    fprintf (stderr, "bench_scale: populate: %s\n", podd_store_errmsg (self->store));
    podd_store_rollback (self->store);
    return -1;
}

//  Close every live task (done, with its history row): the next
//  checkpoint starts from the same live work as the first
static int
s_retire_live (scale_t *self)
{
    size_t retired = 0;
    if (podd_store_begin (self->store))
        return -1;
    for (size_t p = 0; p < self->pod_count; p++) {
        for (int round = 0; round < RETIRE_ROUNDS_MAX; round++) {
            json_t *items = podd_store_task_list (self->store, "pod", 0, self->pods [p].id,
                                                  0, self->now, PODD_STORE_LIST_MAX);
            size_t count = json_array_size (items);
            size_t index;
            json_t *item;
            int rc = 0;
            json_array_foreach (items, index, item) {
                podd_task_t task;
                int64_t id = json_integer_value (json_object_get (item, "id"));
                if (podd_store_task_get (self->store, id, &task)
                ||  podd_store_task_set (self->store, id, "done", task.assignee_id, self->now)
                ||  podd_store_task_history_add (self->store, id, task.assignee_id? task.assignee_id:
                                                 self->pods [p].manager_id, "done",
                                                 task.assignee_id, "", self->now))
                    rc = -1;
                retired++;
            }
            json_decref (items);
            if (rc) {
                fprintf (stderr, "bench_scale: retire: %s\n", podd_store_errmsg (self->store));
                podd_store_rollback (self->store);
                return -1;
            }
            if (count == 0)
                break;
        }
    }
    if (podd_store_commit (self->store))
        return -1;
    printf ("  closed the %zu live tasks of the previous checkpoint\n", retired);
    return 0;
}

//  The two cases the TASK-NEW measurements use, fresh for each checkpoint
static int
s_target_cases (scale_t *self, const char *label, char *lead_ref, char *pool_ref, size_t size)
{
    snprintf (lead_ref, size, "SCALE-LEAD-%s", label);
    snprintf (pool_ref, size, "SCALE-POOL-%s", label);
    if (podd_store_begin (self->store)
    ||  podd_store_case_open (self->store, lead_ref, "child", self->worker_pod_id,
                              self->worker_id, "bench_scale", self->now) < 0
    ||  podd_store_case_open (self->store, pool_ref, "child", self->worker_pod_id, 0,
                              "bench_scale", self->now) < 0
    ||  podd_store_commit (self->store)) {
        fprintf (stderr, "bench_scale: target cases: %s\n", podd_store_errmsg (self->store));
        podd_store_rollback (self->store);
        return -1;
    }
    return 0;
}

//  --------------------------------------------------------------------------
//  podd as a child process

static int
s_podd_start (scale_t *self)
{
    pid_t pid = fork ();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        //  Child: only async-signal-safe calls until exec
        prctl (PR_SET_PDEATHSIG, SIGTERM);
        int fd = open (self->log_path? self->log_path: "/dev/null",
                       O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2 (fd, STDOUT_FILENO);
            dup2 (fd, STDERR_FILENO);
            close (fd);
        }
        execl (self->podd_path, self->podd_path, "-f", "-c", self->config_path, (char *) NULL);
        _exit (127);
    }
    self->podd_pid = pid;
    return 0;
}

static bool
s_podd_alive (scale_t *self)
{
    if (self->podd_pid <= 0)
        return false;
    int status;
    if (waitpid (self->podd_pid, &status, WNOHANG) == self->podd_pid) {
        fprintf (stderr, "bench_scale: podd exited (status %d)\n", status);
        self->podd_pid = 0;
        return false;
    }
    return true;
}

static void
s_podd_stop (scale_t *self)
{
    if (self->podd_pid <= 0)
        return;
    kill (self->podd_pid, SIGTERM);
    int64_t deadline = bench_now_ns () + (int64_t) STOP_TIMEOUT_MS * 1000000LL;
    int status;
    while (waitpid (self->podd_pid, &status, WNOHANG) == 0) {
        if (bench_now_ns () > deadline) {
            fprintf (stderr, "bench_scale: podd ignores SIGTERM, killing it\n");
            kill (self->podd_pid, SIGKILL);
            waitpid (self->podd_pid, &status, 0);
            break;
        }
        zclock_sleep (20);
    }
    self->podd_pid = 0;
}

//  VmRSS and VmHWM in MB from /proc/PID/status
static void
s_podd_memory (scale_t *self, double *rss_mb, double *hwm_mb)
{
    *rss_mb = *hwm_mb = -1;
    char path [64];
    snprintf (path, sizeof path, "/proc/%d/status", (int) self->podd_pid);
    FILE *file = fopen (path, "r");
    if (!file)
        return;
    char line [256];
    long kb;
    while (fgets (line, sizeof line, file)) {
        if (sscanf (line, "VmRSS: %ld kB", &kb) == 1)
            *rss_mb = (double) kb / 1024.0;
        if (sscanf (line, "VmHWM: %ld kB", &kb) == 1)
            *hwm_mb = (double) kb / 1024.0;
    }
    fclose (file);
}

static double
s_file_mb (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0? (double) st.st_size / (1024.0 * 1024.0): 0;
}

static podclient_t *
s_client (scale_t *self, const char *handle)
{
    char cert [PATH_MAX];
    snprintf (cert, sizeof cert, "%s/%s.cert", self->key_dir, handle);
    return podclient_new (podd_config_endpoint (self->config), cert,
                          podd_config_server_cert (self->config));
}

//  Wait for podd to answer PING through client
static int
s_wait_ready (scale_t *self, podclient_t *client)
{
    int64_t deadline = bench_now_ns () + (int64_t) START_TIMEOUT_MS * 1000000LL;
    while (bench_now_ns () < deadline && !zsys_interrupted && s_podd_alive (self)) {
        int status = 0;
        json_t *data = podclient_request (client, "PING", NULL, 200, &status, NULL, 0);
        json_decref (data);
        if (status == PODP_OK)
            return 0;
        if (status == 0)
            zclock_sleep (50);      //  not connected yet (ZMQ_IMMEDIATE)
    }
    return -1;
}

//  --------------------------------------------------------------------------
//  Measurement

typedef struct {
    const char *command;
    const char *name;
    podclient_t *client;
    json_t *body;               /* template, copied per request */
    int expect;                 /* status wanted */
} op_t;

static void
s_measure (scale_t *self, op_t *op, size_t count, op_result_t *result)
{
    memset (result, 0, sizeof *result);
    result->name = op->name;
    samples_t *samples = samples_new (count);
    //  Warm-up: prepared statements, page cache, connection
    for (size_t i = 0; i < WARMUP_REQUESTS && !zsys_interrupted; i++) {
        json_t *data = podclient_request (op->client, op->command, json_deep_copy (op->body),
                                          REQUEST_TIMEOUT_MS, NULL, NULL, 0);
        if (data && i == 0) {
            json_t *items = json_object_get (data, "items");
            if (items)
                result->items = json_array_size (items);
            json_t *route = json_object_get (data, "route");
            if (route)
                snprintf (result->note, sizeof result->note, "routed to %s: %s",
                          json_string_value (json_object_get (route, "assignee"))?
                          json_string_value (json_object_get (route, "assignee")): "nobody",
                          json_string_value (json_object_get (route, "reason")));
        }
        json_decref (data);
    }
    int64_t deadline = bench_now_ns () + (int64_t) OP_SECONDS_MAX * 1000000000LL;
    for (size_t i = 0; i < count && !zsys_interrupted && bench_now_ns () < deadline; i++) {
        int status = 0;
        char reason [160] = "";
        int64_t start = bench_now_ns ();
        json_t *data = podclient_request (op->client, op->command, json_deep_copy (op->body),
                                          REQUEST_TIMEOUT_MS, &status, reason, sizeof reason);
        int64_t elapsed = bench_now_ns () - start;
        json_decref (data);
        if (status == op->expect) {
            samples_add (samples, elapsed);
            result->ok++;
        }
        else {
            result->errors++;
            snprintf (result->last_error, sizeof result->last_error, "%d %s", status, reason);
            if (status == 0 && !s_podd_alive (self))
                break;
        }
    }
    if (result->ok) {
        result->mean_ms = samples_mean (samples) / 1e6;
        result->p50_ms = (double) samples_percentile (samples, 50) / 1e6;
        result->p99_ms = (double) samples_percentile (samples, 99) / 1e6;
        result->max_ms = (double) samples_percentile (samples, 100) / 1e6;
    }
    samples_destroy (&samples);
}

static int
s_checkpoint (scale_t *self, const char *label, checkpoint_t *cp)
{
    memset (cp, 0, sizeof *cp);
    cp->key = label;
    s_count_label (self->tasks_done, cp->label, sizeof cp->label);
    cp->tasks = self->tasks_done;
    cp->cases = self->cases_done;
    char lead_ref [64], pool_ref [64];
    if (s_target_cases (self, label, lead_ref, pool_ref, sizeof lead_ref))
        return -1;
    //  podd owns the database while it runs
    podd_store_destroy (&self->store);
    char wal [PATH_MAX + 8];
    snprintf (wal, sizeof wal, "%s-wal", podd_config_database (self->config));
    cp->db_mb = s_file_mb (podd_config_database (self->config)) + s_file_mb (wal);

    int64_t started = bench_now_ns ();
    if (s_podd_start (self))
        return -1;
    //  podd creates its keypair on first start: clients need the public one
    for (int i = 0; i < START_TIMEOUT_MS / 100 && s_podd_alive (self)
                    && access (podd_config_server_cert (self->config), R_OK); i++)
        zclock_sleep (100);
    podclient_t *creator = s_client (self, self->creator);
    podclient_t *worker = s_client (self, self->worker);
    int rc = -1;
    if (!creator || !worker || s_wait_ready (self, creator) || s_wait_ready (self, worker)) {
        fprintf (stderr, "bench_scale: podd did not answer (see %s)\n",
                 self->log_path? self->log_path: "its log");
        goto done;
    }
    cp->start_s = (double) (bench_now_ns () - started) / 1e9;
    op_t ops [OP_COUNT] = {
        { "TASK-LIST", "list_mine", worker, json_pack ("{s:s}", "scope", "mine"), PODP_OK },
        { "TASK-LIST", "list_pod", creator, json_pack ("{s:s}", "scope", "pod"), PODP_OK },
        { "TASK-NEW", "task_new_lead", creator,
          json_pack ("{s:s s:s s:s}", "case", lead_ref, "kind", "general", "title", "scale"),
          PODP_CREATED },
        { "TASK-NEW", "task_new_route", creator,
          json_pack ("{s:s s:s s:s}", "case", pool_ref, "kind", "general", "title", "scale"),
          PODP_CREATED },
    };
    for (size_t i = 0; i < OP_COUNT; i++) {
        s_measure (self, &ops [i], self->requests, &cp->ops [i]);
        json_decref (ops [i].body);
    }
    s_podd_memory (self, &cp->vmrss_mb, &cp->vmhwm_mb);
    cp->ok = true;
    rc = 0;
done:
    podclient_destroy (&creator);
    podclient_destroy (&worker);
    s_podd_stop (self);
    if (s_store_open (self))
        return -1;
    return rc;
}

static void
s_print_checkpoint (scale_t *self, checkpoint_t *cp)
{
    printf ("  checkpoint %s: %zu cases, %zu tasks, database %.0f MB, podd answered after %.2f s\n",
            cp->label, cp->cases, cp->tasks, cp->db_mb, cp->start_s);
    printf ("    %-16s %8s %9s %9s %9s %9s %6s\n", "operation", "requests", "mean", "p50", "p99",
            "max", "items");
    for (size_t i = 0; i < OP_COUNT; i++) {
        op_result_t *op = &cp->ops [i];
        printf ("    %-16s %8zu %6.3f ms %6.3f ms %6.3f ms %6.3f ms %6zu\n", op->name, op->ok,
                op->mean_ms, op->p50_ms, op->p99_ms, op->max_ms, op->items);
        if (op->note [0])
            printf ("      %s\n", op->note);
        if (op->errors)
            printf ("      %zu errors, last: %s\n", op->errors, op->last_error);
        char key [64];
        snprintf (key, sizeof key, "%s.mean_ms", op->name);
        s_put (self, cp->key, key, op->mean_ms);
        snprintf (key, sizeof key, "%s.p99_ms", op->name);
        s_put (self, cp->key, key, op->p99_ms);
    }
    printf ("    podd VmRSS %.1f MB, VmHWM %.1f MB\n", cp->vmrss_mb, cp->vmhwm_mb);
    s_put (self, cp->key, "vmrss_mb", cp->vmrss_mb);
    s_put (self, cp->key, "vmhwm_mb", cp->vmhwm_mb);
    s_put (self, cp->key, "db_mb", cp->db_mb);
    s_put (self, cp->key, "tasks", (double) cp->tasks);
}

static void
s_usage (void)
{
    fprintf (stderr,
        "usage: bench_scale -P PODD -c CONFIG -k KEYDIR -C CREATOR -w WORKER\n"
        "                   [-t TASKS] [-a CASES] [-m SMALL] [-n REQUESTS]\n"
        "                   [-l PODD_LOG] [-o SUMMARY_FILE]\n");
}

int
main (int argc, char *argv [])
{
    scale_t self = {
        .tasks_total = 1000000, .cases_total = 100000, .tasks_small = 10000, .requests = 500
    };
    const char *summary_path = NULL;
    int opt;
    while ((opt = getopt (argc, argv, "P:c:k:C:w:t:a:m:n:l:o:h")) != -1) {
        switch (opt) {
            case 'P': self.podd_path = optarg; break;
            case 'c': self.config_path = optarg; break;
            case 'k': self.key_dir = optarg; break;
            case 'C': self.creator = optarg; break;
            case 'w': self.worker = optarg; break;
            case 't': self.tasks_total = (size_t) atol (optarg); break;
            case 'a': self.cases_total = (size_t) atol (optarg); break;
            case 'm': self.tasks_small = (size_t) atol (optarg); break;
            case 'n': self.requests = (size_t) atol (optarg); break;
            case 'l': self.log_path = optarg; break;
            case 'o': summary_path = optarg; break;
            default:  s_usage (); return 2;
        }
    }
    if (!self.podd_path || !self.config_path || !self.key_dir || !self.creator || !self.worker
    ||  self.cases_total < 1 || self.tasks_total < self.cases_total
    ||  self.tasks_total > 100000000 || self.requests < 1 || self.requests > 1000000
    ||  self.tasks_small < self.tasks_total / self.cases_total
    ||  self.tasks_small > self.tasks_total) {
        s_usage ();
        return 2;
    }
    setvbuf (stdout, NULL, _IOLBF, 0);     //  progress shows when piped
    zsys_init ();
    int rc = 1;
    char err [512];
    self.config = podd_config_load (self.config_path, err, sizeof err);
    if (!self.config) {
        fprintf (stderr, "bench_scale: %s\n", err);
        goto done;
    }
    if (summary_path && !(self.summary = fopen (summary_path, "a")))
        fprintf (stderr, "bench_scale: cannot write %s\n", summary_path);
    const char *db = podd_config_database (self.config);
    char path [PATH_MAX + 8];
    unlink (db);
    snprintf (path, sizeof path, "%s-wal", db);
    unlink (path);
    snprintf (path, sizeof path, "%s-shm", db);
    unlink (path);

    self.tasks_per_case = self.tasks_total / self.cases_total;
    size_t cases_small = self.tasks_small / self.tasks_per_case;
    self.case_ids = (int64_t *) zmalloc (self.cases_total * sizeof (int64_t));
    self.now = podd_when_now ();
    self.spacing = (int64_t) YEARS_OF_HISTORY * 365 * 86400 / (int64_t) self.cases_total;
    if (self.spacing < 1)
        self.spacing = 1;
    self.epoch = self.now - (int64_t) self.cases_total * self.spacing;
    printf ("bench_scale: podd with %zu then %zu tasks (%zu per case, one history row each);\n"
            "  %d cases open and %d live tasks at every checkpoint; %zu requests per figure\n",
            self.tasks_small, self.tasks_total, self.tasks_per_case, OPEN_CASES, LIVE_CASES,
            self.requests);
    if (s_store_open (&self) || s_bootstrap (&self))
        goto done;

    checkpoint_t small, large;
    if (s_populate (&self, cases_small) || s_checkpoint (&self, "small", &small))
        goto done;
    s_print_checkpoint (&self, &small);
    if (s_retire_live (&self) || s_populate (&self, self.cases_total)
    ||  s_checkpoint (&self, "large", &large))
        goto done;
    s_print_checkpoint (&self, &large);

    printf ("  ratios %s / %s tasks (target <= 1.5; podd VmRSS target <= 100 MB):\n",
            large.label, small.label);
    for (size_t i = 0; i < OP_COUNT; i++) {
        op_result_t *a = &small.ops [i], *b = &large.ops [i];
        double mean = a->mean_ms > 0? b->mean_ms / a->mean_ms: 0;
        double p99 = a->p99_ms > 0? b->p99_ms / a->p99_ms: 0;
        printf ("    %-16s mean %6.3f -> %6.3f ms (x%.2f)   p99 %6.3f -> %6.3f ms (x%.2f)\n",
                a->name, a->mean_ms, b->mean_ms, mean, a->p99_ms, b->p99_ms, p99);
        if (self.summary) {
            fprintf (self.summary, "scale.ratio.%s.mean %.3f\n", a->name, mean);
            fprintf (self.summary, "scale.ratio.%s.p99 %.3f\n", a->name, p99);
        }
    }
    printf ("    podd VmRSS %.1f -> %.1f MB, VmHWM %.1f -> %.1f MB\n", small.vmrss_mb,
            large.vmrss_mb, small.vmhwm_mb, large.vmhwm_mb);
    rc = 0;
done:
    s_podd_stop (&self);
    s_scale_destroy (&self);
    return rc;
}
