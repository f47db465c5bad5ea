/*  auditops.h - requests about the audit trail.

    Owns: AUDIT-LIST, who did what and when (refused attempts included),
    for a pod's team manager (their pod) and administrators.
*/
#ifndef PODD_AUDITOPS_H_INCLUDED
#define PODD_AUDITOPS_H_INCLUDED

#include "request.h"

int podd_op_audit_list (podd_request_t *req);

#endif
