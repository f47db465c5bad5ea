/*  web_podd.c - podweb's link to podd. See web_podd.h. */
#include "web_podd.h"
#include <pthread.h>

#define S_POOL_MAX 16

struct _web_podd_t {
    char *endpoint;
    char *client_cert;
    char *server_cert;
    pthread_mutex_t lock;
    zlistx_t *idle;             //  podclient_t * ready for a request
};

web_podd_t *
web_podd_new (const char *endpoint, const char *client_cert, const char *server_cert)
{
    web_podd_t *self = (web_podd_t *) zmalloc (sizeof (web_podd_t));
    self->endpoint = strdup (endpoint);
    self->client_cert = client_cert? strdup (client_cert): NULL;
    self->server_cert = server_cert? strdup (server_cert): NULL;
    pthread_mutex_init (&self->lock, NULL);
    self->idle = zlistx_new ();
    //  Check the keys now: a wrong path is a start-up error, not a 504 later
    podclient_t *client = podclient_new (endpoint, client_cert, server_cert);
    if (!client) {
        web_podd_destroy (&self);
        return NULL;
    }
    zlistx_add_end (self->idle, client);
    return self;
}

void
web_podd_destroy (web_podd_t **self_p)
{
    web_podd_t *self = *self_p;
    if (self) {
        podclient_t *client;
        while ((client = (podclient_t *) zlistx_detach (self->idle, NULL)))
            podclient_destroy (&client);
        zlistx_destroy (&self->idle);
        pthread_mutex_destroy (&self->lock);
        free (self->endpoint);
        free (self->client_cert);
        free (self->server_cert);
        free (self);
        *self_p = NULL;
    }
}

static podclient_t *
s_take (web_podd_t *self)
{
    pthread_mutex_lock (&self->lock);
    podclient_t *client = (podclient_t *) zlistx_detach (self->idle, NULL);
    pthread_mutex_unlock (&self->lock);
    return client? client: podclient_new (self->endpoint, self->client_cert, self->server_cert);
}

static void
s_give_back (web_podd_t *self, podclient_t *client)
{
    pthread_mutex_lock (&self->lock);
    if (zlistx_size (self->idle) < S_POOL_MAX) {
        zlistx_add_end (self->idle, client);
        client = NULL;
    }
    pthread_mutex_unlock (&self->lock);
    podclient_destroy (&client);
}

json_t *
web_podd_request (web_podd_t *self, const char *member, const char *command, json_t *body,
                  int *status, char *reason, size_t reasonlen)
{
    if (!body)
        body = json_object ();
    json_object_set_new (body, "as", json_string (member));
    *status = 0;
    podclient_t *client = s_take (self);
    if (!client) {
        json_decref (body);
        snprintf (reason, reasonlen, "cannot connect to podd");
        return NULL;
    }
    json_t *data = podclient_request (client, command, body, WEB_PODD_TIMEOUT_MS, status,
                                      reason, reasonlen);
    if (*status)
        s_give_back (self, client);
    else
        podclient_destroy (&client);    //  a late reply must not meet the next request
    return data;
}

podclient_t *
web_podd_watch (web_podd_t *self, const char *member, int *heartbeat_ms, int *status,
                char *reason, size_t reasonlen)
{
    podclient_t *client = podclient_new (self->endpoint, self->client_cert, self->server_cert);
    *status = 0;
    if (!client) {
        snprintf (reason, reasonlen, "cannot connect to podd");
        return NULL;
    }
    json_t *data = podclient_request (client, "WATCH", json_pack ("{s:s}", "as", member),
                                      WEB_PODD_TIMEOUT_MS, status, reason, reasonlen);
    if (!data) {
        podclient_destroy (&client);
        return NULL;
    }
    json_t *heartbeat = json_object_get (data, "heartbeat");
    *heartbeat_ms = json_is_integer (heartbeat)? (int) json_integer_value (heartbeat): 5000;
    json_decref (data);
    return client;
}
