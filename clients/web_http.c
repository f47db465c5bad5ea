/*  web_http.c - podweb's HTTP responses. See web_http.h. */
#include "web_http.h"
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
              "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; " \
              "frame-ancestors 'none'"

void
web_http_secure_headers (struct MHD_Response *response, bool no_store)
{
    MHD_add_response_header (response, "Content-Security-Policy", S_CSP);
    MHD_add_response_header (response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header (response, "X-Frame-Options", "DENY");
    MHD_add_response_header (response, "Referrer-Policy", "no-referrer");
    MHD_add_response_header (response, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header (response, "Cache-Control", no_store? "no-store": "no-cache");
}

static enum MHD_Result
s_queue (struct MHD_Connection *connection, unsigned status, struct MHD_Response *response)
{
    enum MHD_Result rc = MHD_queue_response (connection, status, response);
    MHD_destroy_response (response);
    return rc;
}

enum MHD_Result
web_http_json (struct MHD_Connection *connection, unsigned status, json_t *body,
               const char *set_cookie)
{
    if (!body)
        body = json_object ();
    char *text = json_dumps (body, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref (body);
    if (!text)
        text = strdup ("{}");
    struct MHD_Response *response = MHD_create_response_from_buffer (strlen (text), text,
                                                                     MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header (response, "Content-Type", "application/json; charset=utf-8");
    web_http_secure_headers (response, true);
    if (set_cookie)
        MHD_add_response_header (response, "Set-Cookie", set_cookie);
    return s_queue (connection, status, response);
}

enum MHD_Result
web_http_error (struct MHD_Connection *connection, unsigned status, const char *reason,
                const char *allow, int retry_after)
{
    json_t *body = json_pack ("{s:{s:i s:s}}", "error", "status", (int) status,
                              "reason", reason? reason: "");
    char *text = json_dumps (body, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref (body);
    if (!text)
        text = strdup ("{\"error\":{}}");
    struct MHD_Response *response = MHD_create_response_from_buffer (strlen (text), text,
                                                                     MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header (response, "Content-Type", "application/json; charset=utf-8");
    web_http_secure_headers (response, true);
    if (allow)
        MHD_add_response_header (response, "Allow", allow);
    if (retry_after > 0) {
        char seconds [16];
        snprintf (seconds, sizeof seconds, "%d", retry_after);
        MHD_add_response_header (response, "Retry-After", seconds);
    }
    return s_queue (connection, status, response);
}

const char *
web_http_media_type (const char *path)
{
    static const struct { const char *ext; const char *type; } types [] = {
        { ".html", "text/html; charset=utf-8" }, { ".css", "text/css; charset=utf-8" },
        { ".js", "text/javascript; charset=utf-8" }, { ".svg", "image/svg+xml" },
        { ".png", "image/png" }, { ".ico", "image/x-icon" }, { ".woff2", "font/woff2" },
        { ".txt", "text/plain; charset=utf-8" }
    };
    const char *dot = path? strrchr (path, '.'): NULL;
    if (!dot || strchr (dot, '/'))
        return NULL;
    for (size_t i = 0; i < sizeof types / sizeof types [0]; i++)
        if (strcmp (dot, types [i].ext) == 0)
            return types [i].type;
    return NULL;
}

bool
web_http_path_ok (const char *url)
{
    if (!url || url [0] != '/' || strlen (url) > 200)
        return false;
    const char *p = url + 1;
    if (!*p)
        return false;
    bool segment_start = true;
    for (; *p; p++) {
        char c = *p;
        if (c == '/') {
            if (segment_start)
                return false;           //  "//" or a leading empty segment
            segment_start = true;
            continue;
        }
        if (segment_start && c == '.')
            return false;               //  "..", ".hidden"
        segment_start = false;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return !segment_start && web_http_media_type (url) != NULL;
}

enum MHD_Result
web_http_static (struct MHD_Connection *connection, const char *root, const char *url)
{
    if (url && strcmp (url, "/") == 0)
        url = "/index.html";
    if (!web_http_path_ok (url))
        return web_http_error (connection, MHD_HTTP_NOT_FOUND, "no such page", NULL, 0);
    char path [4096];
    snprintf (path, sizeof path, "%s%s", root, url);
    int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat (fd, &st) || !S_ISREG (st.st_mode)) {
        if (fd >= 0)
            close (fd);
        return web_http_error (connection, MHD_HTTP_NOT_FOUND, "no such page", NULL, 0);
    }
    struct MHD_Response *response = MHD_create_response_from_fd ((uint64_t) st.st_size, fd);
    if (!response) {
        close (fd);
        return MHD_NO;
    }
    MHD_add_response_header (response, "Content-Type", web_http_media_type (url));
    web_http_secure_headers (response, false);
    return s_queue (connection, MHD_HTTP_OK, response);
}

void
web_http_test (bool verbose)
{
    if (verbose)
        printf (" * web_http: ");
    assert (web_http_path_ok ("/index.html"));
    assert (web_http_path_ok ("/js/app.js"));
    assert (web_http_path_ok ("/css/site-1.css"));
    assert (!web_http_path_ok ("/"));
    assert (!web_http_path_ok ("/../etc/passwd"));
    assert (!web_http_path_ok ("/js/../../x.js"));
    assert (!web_http_path_ok ("/.git/config.txt"));
    assert (!web_http_path_ok ("//etc/passwd.txt"));
    assert (!web_http_path_ok ("/js//app.js"));
    assert (!web_http_path_ok ("/js/app.js/"));
    assert (!web_http_path_ok ("/a\\b.js"));
    assert (!web_http_path_ok ("/a b.js"));
    assert (!web_http_path_ok ("/app.exe"));
    assert (!web_http_path_ok ("/noext"));
    assert (!web_http_path_ok (NULL));
    assert (strcmp (web_http_media_type ("/a.js"), "text/javascript; charset=utf-8") == 0);
    assert (web_http_media_type ("/a.c") == NULL);
    if (verbose)
        printf ("OK\n");
}
