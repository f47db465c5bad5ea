/*  web_http.h - podweb's HTTP responses: JSON, errors, static files.

    Owns: the security headers every response carries (a strict
    Content-Security-Policy with no inline script, nosniff, no framing,
    no referrer), JSON and error responses, and serving the page's static
    files from one directory, refusing any path that could leave it.
    Stateless; safe to call from any connection thread.
*/
#ifndef WEB_HTTP_H_INCLUDED
#define WEB_HTTP_H_INCLUDED

#include <microhttpd.h>
#include <jansson.h>
#include <stdbool.h>

/* Add the security headers to a response; no_store for API replies. */
void web_http_secure_headers (struct MHD_Response *response, bool no_store);

/* Queue a JSON response (body stolen; NULL = {}). set_cookie, when not
   NULL, is a whole Set-Cookie value. */
enum MHD_Result web_http_json (struct MHD_Connection *connection, unsigned status,
                               json_t *body, const char *set_cookie);

/* Queue {"error": {"status": N, "reason": R}}. allow, when not NULL, is
   the Allow header of a 405; retry_after > 0 adds Retry-After (429). */
enum MHD_Result web_http_error (struct MHD_Connection *connection, unsigned status,
                                const char *reason, const char *allow, int retry_after);

/* True when url is a safe static path: "/" then [A-Za-z0-9._-] segments
   separated by single "/", no segment starting with ".", known type. */
bool web_http_path_ok (const char *url);

/* Media type for a static file name, NULL when not served. */
const char *web_http_media_type (const char *path);

/* Serve url ("/" = "/index.html") from root: 200, or 404 when it is not
   a safe path or not a regular file there. */
enum MHD_Result web_http_static (struct MHD_Connection *connection, const char *root,
                                 const char *url);

/* Self test */
void web_http_test (bool verbose);

#endif
