/*  zpl.c - ZPL text with line numbers. See zpl.h.

    zconfig keeps no line numbers, so before handing the text to zconfig
    we scan it ourselves with the same line syntax zconfig uses. The scan
    reports syntax errors with their line and records every key line in
    order; a pre-order walk of the zconfig tree then pairs each node with
    its line.
*/
#include "zpl.h"
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZPL_MAX_DEPTH   (PODD_ZPL_MAX_LINE / 4 + 1)
#define ZPL_MAX_MESSAGE 512

//  One key line of the file, paired with the zconfig node built from it
typedef struct {
    int line;
    int level;
    char *path;                 //  e.g. "pods/pod/member"
    const char *name;           //  last segment of path
    zconfig_t *node;
} s_entry_t;

struct _podd_zpl_t {
    const char *name;           //  file name for messages, while parsing
    char *err;
    size_t errlen;
    s_entry_t *entries;
    size_t entry_count;
    size_t entry_max;
    zconfig_t *root;
};


char *
podd_zpl_strdup (const char *s)
{
    char *copy = strdup (s);
    assert (copy);
    return copy;
}

void *
podd_zpl_grow (void *array, size_t *max, size_t count, size_t size)
{
    if (count < *max)
        return array;
    *max = *max? *max * 2: 16;
    void *bigger = realloc (array, *max * size);
    assert (bigger);
    return bigger;
}


//  --------------------------------------------------------------------------
//  Text helpers

//  Printable form of a value for messages: non-printable-ASCII bytes as
//  \xNN, truncated. Returns buf (PODD_ZPL_SHOW_MAX bytes).
const char *
podd_zpl_show (const char *s, char *buf)
{
    size_t out = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;
        if (out + 8 >= PODD_ZPL_SHOW_MAX) {
            memcpy (buf + out, "...", 4);
            return buf;
        }
        if (c < 0x20 || c >= 0x7f || c == '\\')
            out += snprintf (buf + out, PODD_ZPL_SHOW_MAX - out, "\\x%02x", c);
        else
            buf [out++] = (char) c;
    }
    buf [out] = 0;
    return buf;
}

//  Valid UTF-8 (shortest form, no surrogates) without C0, DEL or C1
//  control characters, at most max octets.
bool
podd_zpl_valid_text (const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t len = 0;
    while (*p) {
        unsigned char c = *p;
        size_t n;
        uint32_t cp;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                return false;
            n = 1;
            cp = c;
        }
        else
        if (c >= 0xc2 && c <= 0xdf) { n = 2; cp = c & 0x1f; }
        else
        if (c >= 0xe0 && c <= 0xef) { n = 3; cp = c & 0x0f; }
        else
        if (c >= 0xf0 && c <= 0xf4) { n = 4; cp = c & 0x07; }
        else
            return false;
        for (size_t i = 1; i < n; i++) {
            if ((p [i] & 0xc0) != 0x80)
                return false;       //  also catches the terminating NUL
            cp = (cp << 6) | (p [i] & 0x3f);
        }
        if ((n == 3 && cp < 0x800)
        ||  (n == 4 && (cp < 0x10000 || cp > 0x10ffff))
        ||  (cp >= 0xd800 && cp <= 0xdfff)
        ||  (cp >= 0x80 && cp <= 0x9f))
            return false;
        p += n;
        len += n;
        if (len > max)
            return false;
    }
    return true;
}

//  --------------------------------------------------------------------------
//  Errors: "NAME:LINE: message", or "NAME: message" when line is 0

static int
s_fail_line (podd_zpl_t *L, int line, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));
static int
s_fail_line (podd_zpl_t *L, int line, const char *format, ...)
{
    char message [ZPL_MAX_MESSAGE];
    va_list args;
    va_start (args, format);
    vsnprintf (message, sizeof (message), format, args);
    va_end (args);
    if (L->err && L->errlen) {
        if (line > 0)
            snprintf (L->err, L->errlen, "%s:%d: %s", L->name, line, message);
        else
            snprintf (L->err, L->errlen, "%s: %s", L->name, message);
    }
    return -1;
}


//  --------------------------------------------------------------------------
//  Line index: mirrors zconfig_chunk_load's line syntax

static bool
s_is_namechar (char c)
{
    return ((unsigned char) c < 0x80 && isalnum ((unsigned char) c))
        || (c && strchr ("$-_@.&+/", c));
}

//  Only whitespace or a comment until end of line?
static bool
s_eoln (const char *p)
{
    while (isspace ((unsigned char) *p))
        p++;
    return *p == 0 || *p == '#';
}

static int
s_index (podd_zpl_t *L, const char *text)
{
    size_t open [ZPL_MAX_DEPTH];            //  entry at each open level
    int depth = 0;                      //  levels that may take children
    int lineno = 0;
    const char *ptr = text;

    while (*ptr) {
        const char *eol = strchr (ptr, '\n');
        size_t rawlen = eol? (size_t) (eol - ptr): strlen (ptr);
        lineno++;
        if (rawlen > PODD_ZPL_MAX_LINE)
            return s_fail_line (L, lineno, "syntax error: line longer than %d octets",
                                PODD_ZPL_MAX_LINE);
        char line [PODD_ZPL_MAX_LINE + 1];
        memcpy (line, ptr, rawlen);
        line [rawlen] = 0;
        ptr = eol? eol + 1: ptr + rawlen;
        while (rawlen && isspace ((unsigned char) line [rawlen - 1]))
            line [--rawlen] = 0;
        if (line [0] == '#')
            continue;

        char *p = line;
        while (*p == ' ')
            p++;
        size_t indent = p - line;
        if (indent % 4)
            return s_fail_line (L, lineno,
                "syntax error: indent with a multiple of 4 spaces (found %zu)", indent);
        int level = (int) (indent / 4);

        char *name = p;
        while (s_is_namechar (*p))
            p++;
        size_t namelen = p - name;
        if (namelen == 0) {
            if (s_eoln (p))
                continue;               //  blank or comment line
            char show [PODD_ZPL_SHOW_MAX];
            return s_fail_line (L, lineno, "syntax error: expected a name, found '%s'",
                                podd_zpl_show (p, show));
        }
        if (name [0] == '/' || name [namelen - 1] == '/')
            return s_fail_line (L, lineno,
                                "syntax error: '/' cannot start or end a name");
        char saved = *p;
        *p = 0;
        char *keyname = podd_zpl_strdup (name);
        *p = saved;

        while (isspace ((unsigned char) *p))
            p++;
        int rc = 0;
        if (*p == '=') {
            p++;
            while (isspace ((unsigned char) *p))
                p++;
            if (*p == '"' || *p == '\'') {
                char *close = strchr (p + 1, *p);
                if (!close)
                    rc = s_fail_line (L, lineno, "syntax error: unterminated quote (missing %c)", *p);
                else
                if (!s_eoln (close + 1))
                    rc = s_fail_line (L, lineno,
                                      "syntax error: unexpected text after the value of '%s'",
                                      keyname);
            }
            else
            if (*p == '#')
                rc = s_fail_line (L, lineno,
                                  "syntax error: missing value (write %s = \"\" for an empty value)",
                                  keyname);
        }
        else
        if (!s_eoln (p))
            rc = s_fail_line (L, lineno, "syntax error: expected '=' after '%s'", keyname);
        if (rc == 0 && level > depth)
            rc = s_fail_line (L, lineno,
                              "syntax error: '%s' is indented too deep", keyname);
        if (rc) {
            free (keyname);
            return -1;
        }
        //  Record the key line with its path
        L->entries = (s_entry_t *) podd_zpl_grow (L->entries, &L->entry_max,
                                           L->entry_count, sizeof (s_entry_t));
        s_entry_t *entry = &L->entries [L->entry_count];
        memset (entry, 0, sizeof (*entry));
        entry->line = lineno;
        entry->level = level;
        if (level == 0)
            entry->path = keyname;
        else {
            const char *parent = L->entries [open [level - 1]].path;
            size_t size = strlen (parent) + 1 + namelen + 1;
            entry->path = (char *) malloc (size);
            assert (entry->path);
            snprintf (entry->path, size, "%s/%s", parent, keyname);
            free (keyname);
        }
        entry->name = entry->path + strlen (entry->path) - namelen;
        open [level] = L->entry_count++;
        depth = level + 1;
    }
    return 0;
}

//  Pair zconfig nodes (pre-order) with index entries (file order)
static int
s_pair (podd_zpl_t *L, zconfig_t *parent, const char *parent_path, size_t *cursor)
{
    for (zconfig_t *node = zconfig_child (parent); node; node = zconfig_next (node)) {
        if (*cursor >= L->entry_count)
            return -1;
        s_entry_t *entry = &L->entries [(*cursor)++];
        const char *name = zconfig_name (node);
        size_t plen = parent_path? strlen (parent_path): 0;
        if (!streq (entry->name, name)
        ||  (parent_path && (strncmp (entry->path, parent_path, plen) != 0
                             || entry->path [plen] != '/'))
        ||  (!parent_path && entry->name != entry->path))
            return -1;
        entry->node = node;
        if (s_pair (L, node, entry->path, cursor))
            return -1;
    }
    return 0;
}


//  --------------------------------------------------------------------------
//  Value access

//  Collect the children of section into nodes [] by the NULL-terminated
//  keys []; children named repeat are left for the caller. context names


//  --------------------------------------------------------------------------
//  Public API

podd_zpl_t *
podd_zpl_parse (const char *text, const char *name, char *err, size_t errlen)
{
    assert (text);
    assert (name);
    if (err && errlen)
        err [0] = 0;
    podd_zpl_t *self = (podd_zpl_t *) calloc (1, sizeof (podd_zpl_t));
    assert (self);
    self->name = name;
    self->err = err;
    self->errlen = errlen;
    if (s_index (self, text)) {
        podd_zpl_destroy (&self);
        return NULL;
    }
    self->root = zconfig_str_load (text);
    if (!self->root) {
        //  The index mirrors zconfig's syntax, so this should not happen
        s_fail_line (self, 0, "syntax error");
        podd_zpl_destroy (&self);
        return NULL;
    }
    size_t cursor = 0;
    if (s_pair (self, self->root, NULL, &cursor) || cursor != self->entry_count)
        //  Should not happen either; degrade to messages without lines
        for (size_t i = 0; i < self->entry_count; i++)
            self->entries [i].node = NULL;
    self->name = NULL;
    self->err = NULL;
    self->errlen = 0;
    return self;
}

void
podd_zpl_destroy (podd_zpl_t **self_p)
{
    assert (self_p);
    podd_zpl_t *self = *self_p;
    if (!self)
        return;
    zconfig_destroy (&self->root);
    for (size_t i = 0; i < self->entry_count; i++)
        free (self->entries [i].path);
    free (self->entries);
    free (self);
    *self_p = NULL;
}

zconfig_t *
podd_zpl_root (podd_zpl_t *self)
{
    assert (self);
    return self->root;
}

int
podd_zpl_line (podd_zpl_t *self, zconfig_t *node)
{
    assert (self);
    if (node)
        for (size_t i = 0; i < self->entry_count; i++)
            if (self->entries [i].node == node)
                return self->entries [i].line;
    return 0;
}

char *
podd_zpl_read (const char *path, char *err, size_t errlen)
{
    assert (path);
    if (err && errlen)
        err [0] = 0;
    FILE *file = fopen (path, "rb");
    if (!file) {
        if (err && errlen)
            snprintf (err, errlen, "%s: cannot open: %s", path, strerror (errno));
        return NULL;
    }
    char *text = (char *) malloc (PODD_ZPL_MAX_FILE + 1);
    assert (text);
    size_t size = fread (text, 1, PODD_ZPL_MAX_FILE + 1, file);
    bool failed = ferror (file);
    fclose (file);
    if (failed) {
        if (err && errlen)
            snprintf (err, errlen, "%s: cannot read", path);
    }
    else
    if (size > PODD_ZPL_MAX_FILE) {
        failed = true;
        if (err && errlen)
            snprintf (err, errlen, "%s: larger than %d octets", path, PODD_ZPL_MAX_FILE);
    }
    else {
        text [size] = 0;
        const char *nul = (const char *) memchr (text, 0, size);
        if (nul) {
            failed = true;
            int line = 1;
            for (const char *p = text; p < nul; p++)
                line += *p == '\n';
            if (err && errlen)
                snprintf (err, errlen, "%s:%d: syntax error: NUL byte", path, line);
        }
    }
    if (failed) {
        free (text);
        return NULL;
    }
    return text;
}
