/*  zpl.h - ZPL text with line numbers, shared by the configuration
    loaders (config.c, standards.c).

    Owns: reading a ZPL file whole (size and NUL checks), scanning it
    with the same line syntax zconfig uses (4-space indentation, name,
    optional "= value", "#" comments) so that syntax errors carry their
    line, loading it with zconfig, and pairing every zconfig node with
    the line it came from, so that validation errors can say "FILE:LINE".
    Also the two text helpers every loader's messages need.
*/
#ifndef PODD_ZPL_H_INCLUDED
#define PODD_ZPL_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>

#define PODD_ZPL_MAX_FILE   (1024 * 1024)   /* octets */
#define PODD_ZPL_MAX_LINE   1024            /* zconfig truncates longer lines */
#define PODD_ZPL_SHOW_MAX   72              /* buffer for a value quoted in a message */

typedef struct _podd_zpl_t podd_zpl_t;

/*  Scan and load text. NULL on a syntax error, with "NAME:LINE: syntax
    error: ..." in err (size errlen). */
podd_zpl_t *podd_zpl_parse (const char *text, const char *name, char *err, size_t errlen);
void        podd_zpl_destroy (podd_zpl_t **self_p);
/*  The zconfig tree (owned by self) */
zconfig_t  *podd_zpl_root (podd_zpl_t *self);
/*  Line of a node of the tree, 0 when unknown (or node NULL) */
int         podd_zpl_line (podd_zpl_t *self, zconfig_t *node);

/*  A whole file as a NUL-terminated string (free it), or NULL with
    "PATH: cannot open: ...", "PATH: cannot read", "PATH: larger than N
    octets" or "PATH:LINE: syntax error: NUL byte" in err. */
char *podd_zpl_read (const char *path, char *err, size_t errlen);

/*  Printable form of a value for messages: bytes outside printable
    ASCII (and '\') as \xNN, truncated with "...". Returns buf
    (PODD_ZPL_SHOW_MAX bytes). */
const char *podd_zpl_show (const char *s, char *buf);
/*  Valid UTF-8 (shortest form, no surrogates) without C0, DEL or C1
    control characters, at most max octets. */
bool podd_zpl_valid_text (const char *s, size_t max);

/* Shared by the loaders: strdup that asserts on out-of-memory, and growing
   an array of count items of size bytes to hold one more (capacity *max). */
char *podd_zpl_strdup (const char *s);
void *podd_zpl_grow (void *array, size_t *max, size_t count, size_t size);

#endif
