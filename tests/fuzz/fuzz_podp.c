/*  fuzz_podp.c - libFuzzer target: the PODP/1 decoder (proto/podp.c).

    Input: one flag byte, then the frames of one message separated by the
    three octets "\n|\n" (any number of frames, any bytes in them).
    Flag byte: '<' decodes as server->client (what podctl does with a
    reply or push); anything else as client->server (what podd does),
    with max_body INGEST-MAIL's limit when it is '!' (podd raises it for
    INGEST-MAIL, daemon/server.c s_handle), else the default.

    Like podd, a refused message goes to podp_peek_rid for the rid of the
    error reply. An accepted message is re-encoded and must decode again
    to the same command and body: the codec's round trip is an oracle
    beside the sanitizers.
*/
#include "podp.h"

#include <stdint.h>
#include <string.h>

static zmsg_t *
s_frames (const uint8_t *data, size_t size)
{
    zmsg_t *msg = zmsg_new ();
    const uint8_t *start = data, *end = data + size;
    while (true) {
        const uint8_t *cut = memmem (start, (size_t) (end - start), "\n|\n", 3);
        const uint8_t *stop = cut? cut: end;
        zmsg_addmem (msg, start, (size_t) (stop - start));
        if (!cut)
            break;
        start = cut + 3;
    }
    return msg;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool to_server = data [0] != '<';
    size_t max_body = data [0] == '!'? PODP_INGEST_BODY_MAX: 0;
    zmsg_t *msg = s_frames (data + 1, size - 1);
    podp_error_t err;
    podp_msg_t *decoded = podp_decode (msg, to_server, max_body, &err);
    if (!decoded) {
        if (err.status < 400 || err.status > 599 || !err.reason [0])
            __builtin_trap ();          //  a refusal always has a code and a reason
        if (strnlen (err.reason, sizeof err.reason) == sizeof err.reason)
            __builtin_trap ();          //  unterminated reason
        (void) podp_peek_rid (msg, max_body);
        zmsg_destroy (&msg);
        return 0;
    }
    //  Round trip: encode, decode again, compare
    zmsg_t *again = podp_encode (decoded);
    podp_msg_t *redecoded = podp_decode (again, to_server, PODP_INGEST_BODY_MAX, &err);
    if (!redecoded
    ||  strcmp (podp_msg_command (decoded), podp_msg_command (redecoded)) != 0
    ||  !json_equal (podp_msg_body (decoded), podp_msg_body (redecoded)))
        __builtin_trap ();
    if (podp_peek_rid (again, PODP_INGEST_BODY_MAX) != podp_msg_int (decoded, "rid", -1))
        __builtin_trap ();
    podp_msg_destroy (&redecoded);
    zmsg_destroy (&again);
    podp_msg_destroy (&decoded);
    zmsg_destroy (&msg);
    return 0;
}
