/* sync: the aggregator on one process, one thread. It serves one client at
 * a time and makes that client's four backend calls one after another, so
 * a request costs 1.25 s and twenty of them 25 s, however many wait.
 * Left out: everything that would make it faster; that is the rest of the
 * chapter.
 */
#include <stdio.h>

#include "aggregator.h"

int main(int argc, char **argv)
{
    struct agg_options o;
    struct agg_server s;
    int rc = agg_parse_options(argc, argv, "One process, one thread, calls in turn.", 0, &o);
    if (rc != AGG_RUN)
        return rc;
    if (agg_server_start(&s, "sync", &o) < 0) {
        agg_server_close(&s);
        return 1;
    }
    agg_serve_forever(&s, agg_call_in_turn);   /* until SIGINT or SIGTERM */
    agg_server_close(&s);
    return 0;
}
