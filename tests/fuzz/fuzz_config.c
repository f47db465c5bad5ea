/*  fuzz_config.c - libFuzzer target: the ZPL configuration loader
    (daemon/config.c podd_config_load_str, through daemon/zpl.c and
    CZMQ's zconfig).

    Input: the text of a podd.conf (a NUL ends it early, as podd_zpl_read
    refuses NUL bytes in files). A refusal must come with a message; an
    accepted config is read back and must hold what config.h promises
    (valid handles, e-mail addresses, names, skills, patterns, roles).
*/
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char *text = malloc (size + 1);
    if (!text)
        return 0;
    memcpy (text, data, size);
    text [size] = 0;
    char err [512];
    podd_config_t *config = podd_config_load_str (text, "fuzz.conf", err, sizeof err);
    if (!config) {
        if (!err [0] || strnlen (err, sizeof err) == sizeof err)
            __builtin_trap ();          //  a refusal always says why, terminated
    }
    else {
        (void) podd_config_endpoint (config);
        (void) podd_config_max_body (config);
        (void) podd_config_mail_domain (config);
        //  What the loader promises about what it accepted
        for (size_t i = 0; i < podd_config_kind_count (config); i++)
            if (podd_config_kind_at (config, i)->remind_count > PODD_REMIND_MAX)
                __builtin_trap ();
        for (size_t i = 0; i < podd_config_member_count (config); i++) {
            podd_member_cfg_t *member = podd_config_member_at (config, i);
            if (!podd_valid_handle (member->handle) || !podd_valid_email (member->email)
            ||  !podd_valid_name (member->name) || !podd_valid_skills (member->skills)
            ||  podd_pattern_days (member->pattern) < 0
            ||  member->role < 0 || member->role >= PODD_ROLE_COUNT)
                __builtin_trap ();
        }
        for (size_t i = 0; i < podd_config_pod_count (config); i++)
            if (!podd_valid_handle (podd_config_pod_at (config, i)->name))
                __builtin_trap ();
        podd_config_destroy (&config);
    }
    free (text);
    return 0;
}
