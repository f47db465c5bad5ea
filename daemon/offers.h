/*  offers.h - colleagues' cover offers and swaps, decided by the manager.

    Owns: COVER-OFFER (a pod colleague offers to cover a case in a coming
    or current absence: "I know this family"), COVER-SWAP (two covers ask
    to exchange their cover lines), and COVER-APPROVE / COVER-REFUSE (the
    team manager decides each). An approved offer or swap changes the
    cover lines (recorded as set by the manager, how "offer" or "swap"),
    so work moved at the leave's start follows it; each request keeps who
    asked and who decided, and shows on COVER-SHOW and COVER-PLAN.
*/
#ifndef PODD_OFFERS_H_INCLUDED
#define PODD_OFFERS_H_INCLUDED

#include "request.h"

int podd_op_cover_offer (podd_request_t *req);
int podd_op_cover_swap (podd_request_t *req);
int podd_op_cover_approve (podd_request_t *req);
int podd_op_cover_refuse (podd_request_t *req);

#endif
