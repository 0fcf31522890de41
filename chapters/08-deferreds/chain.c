/* chain: the four-stage deferred of the Twisted talk, replayed so that you
 * can predict which stage runs, then check. Each stage's callback succeeds
 * unless --fail-at names it; each errback recovers (returns a result)
 * unless --eb-fail-at names it. --gather N shows deferred_gather instead.
 * Left out: real work; the values are constant strings, owned by nobody.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deferred.h"

#define MAX_STAGES 8

struct scenario {
    int stages;           /* --stages N */
    unsigned fail_at;     /* bit k: stage k's callback fails (or deferred k, with --gather) */
    unsigned eb_fail_at;  /* bit k: stage k's errback fails as well */
    int fire_errback;     /* --errback: fire with a failure */
    int late;             /* --late K: stages K and after are added once fired */
    int twice;            /* --twice: fire a second time */
    int gather;           /* --gather N */
};

struct stage_arg {
    int k;
    const struct scenario *sc;
    char result[32], error[32];   /* what this stage returns */
};

static struct outcome stage_callback(void *result, void *arg)
{
    struct stage_arg *s = arg;
    if (s->sc->fail_at & (1u << s->k)) {
        printf("stage %d: callback(\"%s\") fails: \"%s\"\n", s->k, (char *)result, s->error);
        return deferred_fail(s->error);      /* the next errback gets it */
    }
    printf("stage %d: callback(\"%s\") returns \"%s\"\n", s->k, (char *)result, s->result);
    return deferred_ok(s->result);           /* the next callback gets it */
}

static struct outcome stage_errback(void *error, void *arg)
{
    struct stage_arg *s = arg;
    if (s->sc->eb_fail_at & (1u << s->k)) {
        printf("stage %d: errback(\"%s\") fails again: \"%s\"\n", s->k, (char *)error, s->error);
        return deferred_fail(s->error);      /* still failing: next errback */
    }
    printf("stage %d: errback(\"%s\") recovers: \"%s\"\n", s->k, (char *)error, s->result);
    return deferred_ok(s->result);           /* recovered: next callback */
}

/* The last stage: says how the chain ended and passes the value on. */
static struct outcome show_result(void *result, void *arg)
{
    (void)arg;
    printf("end of chain: result \"%s\"\n", (char *)result);
    return deferred_ok(result);
}

static struct outcome show_failure(void *error, void *arg)
{
    (void)arg;
    printf("end of chain: failure \"%s\", unhandled\n", (char *)error);
    return deferred_fail(error);
}

static void add_stage(struct deferred *d, struct stage_arg *s, int fired)
{
    if (fired)
        printf("adding stage %d to a fired deferred: it runs at once\n", s->k);
    if (deferred_add_callbacks(d, stage_callback, stage_errback, s) < 0) {
        perror("chain: deferred_add_callbacks");
        exit(1);
    }
}

static int run_chain_scenario(const struct scenario *sc)
{
    struct stage_arg args[MAX_STAGES];
    struct deferred *d = deferred_new();
    if (d == NULL) {
        perror("chain: deferred_new");
        return 1;
    }
    for (int k = 0; k < sc->stages; k++) {
        args[k] = (struct stage_arg){ .k = k, .sc = sc };
        snprintf(args[k].result, sizeof args[k].result, "result %d", k);
        snprintf(args[k].error, sizeof args[k].error, "error %d", k);
    }
    int early = sc->late < sc->stages ? sc->late : sc->stages;
    for (int k = 0; k < early; k++)
        add_stage(d, &args[k], 0);
    printf("fire: %s\n", sc->fire_errback ? "deferred_errback(\"bad start\")"
                                          : "deferred_callback(\"start\")");
    if (sc->fire_errback)
        deferred_errback(d, "bad start");
    else
        deferred_callback(d, "start");
    for (int k = early; k < sc->stages; k++)
        add_stage(d, &args[k], 1);
    deferred_add_callbacks(d, show_result, show_failure, NULL);
    if (sc->twice && deferred_callback(d, "again") < 0)
        printf("fire again: refused, the chain did not run again\n");
    deferred_free(d);   /* reports an unhandled failure on stderr */
    return 0;
}

static struct outcome show_all(void *outcomes, void *n)
{
    struct outcome *each = outcomes;
    for (int i = 0; i < *(int *)n; i++)
        printf("gathered %d: %s \"%s\"\n", i, each[i].failed ? "failure" : "result",
               (char *)each[i].value);
    free(outcomes);   /* the last stage owns the array */
    return deferred_ok(NULL);
}

/* N deferreds fired last to first: the gathered list keeps their order. */
static int run_gather_scenario(const struct scenario *sc)
{
    struct deferred *ds[MAX_STAGES];
    static char words[MAX_STAGES][2][24];
    int n = sc->gather;
    for (int i = 0; i < n; i++)
        if ((ds[i] = deferred_new()) == NULL) {
            perror("chain: deferred_new");
            return 1;
        }
    struct deferred *all = deferred_gather(ds, n);
    if (all == NULL) {
        perror("chain: deferred_gather");
        return 1;
    }
    deferred_add_callbacks(all, show_all, NULL, &n);
    for (int i = n - 1; i >= 0; i--) {
        snprintf(words[i][0], sizeof words[i][0], "page %d", i);
        snprintf(words[i][1], sizeof words[i][1], "error %d", i);
        int fail = (sc->fail_at >> i) & 1u;
        printf("fire deferred %d: %s\n", i, fail ? "errback" : "callback");
        if (fail)
            deferred_errback(ds[i], words[i][1]);
        else
            deferred_callback(ds[i], words[i][0]);
    }
    for (int i = 0; i < n; i++)
        deferred_free(ds[i]);
    deferred_free(all);
    return 0;
}

static int usage(const char *why)
{
    if (why != NULL)
        fprintf(stderr, "chain: %s\nTry 'chain --help'.\n", why);
    FILE *out = why ? stderr : stdout;
    fprintf(out,
        "usage: chain [--stages N] [--fail-at LIST] [--eb-fail-at LIST] [--errback]\n"
        "             [--late K] [--twice] [--talk]\n"
        "       chain --gather N [--fail-at LIST]\n"
        "Replays a chain of deferred stages (0 .. N-1, default 4) and prints each\n"
        "stage that runs. LIST: stage numbers, comma-separated (\"0,2\").\n"
        "  --fail-at LIST     these stages' callbacks fail\n"
        "  --eb-fail-at LIST  these stages' errbacks fail too (others recover)\n"
        "  --errback          fire with deferred_errback instead of deferred_callback\n"
        "  --late K           add stages K.. after the deferred has fired\n"
        "  --twice            fire the deferred a second time (an error)\n"
        "  --talk             the talk's chain: --fail-at 0 --eb-fail-at 1\n"
        "  --gather N         N deferreds, fired last to first, gathered\n");
    return why ? 2 : 0;
}

/* "0,2" -> bits 0 and 2. -1 when not a list of stage numbers. */
static int parse_list(const char *text, unsigned *bits)
{
    *bits = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p < '0' || *p >= '0' + MAX_STAGES || (p[1] != '\0' && p[1] != ','))
            return -1;
        *bits |= 1u << (*p - '0');
        if (p[1] == ',')
            p++;
    }
    return text[0] != '\0' ? 0 : -1;
}

static int parse_count(const char *text, int min, int *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < min || v > MAX_STAGES)
        return -1;
    *out = (int)v;
    return 0;
}

int main(int argc, char **argv)
{
    struct scenario sc = { .stages = 4, .late = MAX_STAGES };
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0, takes_value = 1;
        if (strcmp(opt, "--help") == 0)
            return usage(NULL);
        else if (strcmp(opt, "--errback") == 0)
            sc.fire_errback = 1, takes_value = 0;
        else if (strcmp(opt, "--twice") == 0)
            sc.twice = 1, takes_value = 0;
        else if (strcmp(opt, "--talk") == 0)
            sc.fail_at = 1u << 0, sc.eb_fail_at = 1u << 1, takes_value = 0;
        else if (val == NULL)
            return usage(strcmp(opt, "--stages") == 0 || strcmp(opt, "--fail-at") == 0
                         || strcmp(opt, "--eb-fail-at") == 0 || strcmp(opt, "--late") == 0
                         || strcmp(opt, "--gather") == 0 ? "option needs a value" : "unknown option");
        else if (strcmp(opt, "--stages") == 0)
            bad = parse_count(val, 1, &sc.stages);
        else if (strcmp(opt, "--late") == 0)
            bad = parse_count(val, 0, &sc.late);
        else if (strcmp(opt, "--gather") == 0)
            bad = parse_count(val, 1, &sc.gather);
        else if (strcmp(opt, "--fail-at") == 0)
            bad = parse_list(val, &sc.fail_at);
        else if (strcmp(opt, "--eb-fail-at") == 0)
            bad = parse_list(val, &sc.eb_fail_at);
        else
            return usage("unknown option");
        if (bad)
            return usage("bad value (stages are 0-7, counts 1-8)");
        i += takes_value;
    }
    return sc.gather ? run_gather_scenario(&sc) : run_chain_scenario(&sc);
}
