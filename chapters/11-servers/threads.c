/* threads: the aggregator on N threads of one process, each running the
 * blocking loop of sync on the shared listening socket. N clients are
 * served at once; each still makes its calls one after another.
 * Left out: a queue between an acceptor and the workers (chapter 03's
 * pool); here every thread accepts for itself, as uWSGI's do.
 */
#include "aggregator.h"

int main(int argc, char **argv)
{
    struct agg_options o;
    struct agg_server s;
    int rc = agg_parse_options(argc, argv, "N threads, each serving one client at a time.",
                               AGG_OPT_THREADS, &o);
    if (rc != AGG_RUN)
        return rc;
    if (agg_server_start(&s, "threads", &o) < 0) {
        agg_server_close(&s);
        return 1;
    }
    rc = agg_serve_in_threads(&s, o.threads, agg_call_in_turn) < 0;
    agg_server_close(&s);
    return rc;
}
