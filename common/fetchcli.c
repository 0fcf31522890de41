/* fetchcli: the command line every fetcher shares (options, the URL list,
 * "-" for standard input, --help, exit codes), parsed by getopt_long, and
 * the end of every run (report, timeline, --save, freeing). Left out:
 * short options but -h, anything that would make one chapter's command
 * line differ from another's. As getopt_long does, an unambiguous prefix
 * of a long option is that option (--timeo is --timeout, --time unknown).
 */
#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fetchcli.h"
#include "reactor.h"   /* REACTOR_BACKEND_NAMES: names only, no reactor */
#include "timeline.h"
#include "trace.h"

#define MAX_TIMEOUT 3600.0

/* getopt_long's codes for the shared options; model option k is MODEL + k. */
enum { TIMEOUT = 256, TIMELINE, SAVE, MODEL };

/* The state of one fetchcli_parse call. */
struct parser {
    struct fetch_job *job;
    const char *prog;                      /* basename of argv[0] */
    const char *about;
    const struct fetchcli_option *options;
    int n_options;
    struct option *longs;                  /* getopt_long's table */
    int capacity;                          /* of job->results, stdin_lines */
    int dash;                              /* "-" was given */
    int trace;                             /* --trace was given */
};

__attribute__((format(printf, 2, 3)))
static int usage_error(const struct parser *p, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", p->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help'.\n", p->prog);
    return 2;
}

static int out_of_memory(const struct parser *p)
{
    fprintf(stderr, "%s: out of memory\n", p->prog);
    return 2;
}

/* Frees what the job owns and zeroes it, so that a second call is harmless. */
static void job_free(struct fetch_job *job)
{
    for (int i = 0; job->results && i < job->n; i++)
        free(job->results[i].body);
    free(job->results);
    for (int i = 0; i < job->n_stdin_lines; i++)
        free(job->stdin_lines[i]);
    free(job->stdin_lines);
    memset(job, 0, sizeof *job);
}

/* Is o fetchcli's own --backend or --trace (FETCHCLI_BACKEND, _TRACE)? */
static int builtin(const struct fetchcli_option *o, const char *name)
{
    return o->value == NULL && o->text == NULL && strcmp(o->name, name) == 0;
}

static const char *metavar(const struct fetchcli_option *o)
{
    return o->metavar ? o->metavar : o->value ? "N" : "WORD";
}

static void print_option(const struct fetchcli_option *o)
{
    const char *help = o->help ? o->help : "";
    char left[64];

    if (builtin(o, "--backend"))
        help = "how the reactor waits: " REACTOR_BACKENDS "\n"
               "                   (default: $WAITLESS_BACKEND if set, else select)";
    else if (builtin(o, "--trace"))
        help = "a line on stderr per wait, wake and connection step";
    snprintf(left, sizeof left, "%s%s%s", o->name, metavar(o)[0] ? " " : "", metavar(o));
    printf("  %-16s %s\n", left, help);
}

static void print_help(const struct parser *p)
{
    printf("Usage: %s [OPTION]... URL... | -\n%s%s"
           "\nFetches every URL, then prints one line per URL and a summary line.\n"
           "'-' reads URLs from standard input, one per line ('#' starts a comment).\n"
           "\nOptions:\n"
           "  --timeout S      give up on a fetch after S seconds (default %g)\n"
           "  --timeline       draw when each fetch ran, one bar per URL\n"
           "                   (an axis of $WAITLESS_TIMELINE_SPAN s at least, if set)\n"
           "  --save DIR       write the bodies to DIR/1, DIR/2, ... (URL order)\n",
           p->prog, p->about ? p->about : "", p->about ? "\n" : "", FETCHCLI_DEFAULT_TIMEOUT);
    for (int i = 0; i < p->n_options; i++)
        print_option(&p->options[i]);
    printf("  -h, --help       print this help and exit\n"
           "\nExit codes: 0 every URL fetched, 1 any failed, 2 usage error.\n"
           "\nExample, with the slow server's address in $SLOW:\n"
           "  %s --timeline \"$SLOW/slow?delay=0.5\" \"$SLOW/slow?delay=0.25\"\n", p->prog);
}

/* Strict: the whole text a number in [min, max], made of chars only
 * (strtod alone would also take " 1", "inf", "nan" and "0x1p3"). */
static int parse_number(const char *text, const char *chars, double min, double max,
                        double *out)
{
    char *end;

    errno = 0;
    double v = strtod(text, &end);
    if (text[strspn(text, chars)] != '\0' || end == text || *end != '\0' || errno != 0
        || !(v >= min && v <= max))
        return -1;
    *out = v;
    return 0;
}

/* --backend NAME, or else $WAITLESS_BACKEND, or else select: checked
 * against the list of names, so that no reactor is needed to check it. */
static int choose_backend(struct parser *p, const char *name)
{
    static const char *const names[] = { REACTOR_BACKEND_NAMES };
    const char *env = getenv("WAITLESS_BACKEND");
    const char *pick = name ? name : env && env[0] ? env : "select";

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(pick, names[i]) == 0) {
            p->job->backend = names[i];
            return FETCHCLI_RUN;
        }
    if (name == NULL)
        return usage_error(p, "WAITLESS_BACKEND=%s: unknown backend (choose %s)",
                           pick, REACTOR_BACKENDS);
    return usage_error(p, "--backend must be %s, not '%s'", REACTOR_BACKENDS, name);
}

/* Model option o, given with value (NULL for a flag). */
static int model_option(struct parser *p, const struct fetchcli_option *o, const char *value)
{
    double v;

    if (builtin(o, "--trace"))
        p->trace = 1;
    else if (builtin(o, "--backend"))
        return choose_backend(p, value);
    else if (o->value == NULL)
        *o->text = value;
    else if (parse_number(value, "+-0123456789", o->min, o->max, &v) == 0)
        *o->value = (int)v;
    else
        return usage_error(p, "%s must be a number from %d to %d, not '%s'",
                           o->name, o->min, o->max, value);
    return FETCHCLI_RUN;
}

/* The name (without "--") of getopt_long's code c, or NULL. */
static const char *option_name(const struct parser *p, int c)
{
    for (int i = 0; c != 0 && p->longs[i].name; i++)
        if (p->longs[i].val == c)
            return p->longs[i].name;
    return NULL;
}

/* What getopt_long returned (c; the value in optarg; arg the argument it
 * read last): FETCHCLI_RUN to go on, else the exit code. */
static int handle_option(struct parser *p, int c, const char *arg)
{
    const char *name = option_name(p, c == '?' || c == ':' ? optopt : c);

    if (c == 'h') {
        print_help(p);
        return 0;
    }
    if (c == ':' || (c != '?' && optarg && optarg[0] == '\0'))
        return usage_error(p, "option '--%s' needs a value", name);
    if (c == '?' && name)
        return usage_error(p, "option '--%s' takes no value", name);
    if (c == '?' && optopt)
        return usage_error(p, "unknown option '-%c'", optopt);
    if (c == '?')
        return usage_error(p, "unknown option '%s'", arg);
    if (c == TIMEOUT && parse_number(optarg, "0123456789.eE+-", DBL_MIN, MAX_TIMEOUT,
                                     &p->job->timeout) != 0)
        return usage_error(p, "--timeout must be a number of seconds, more than 0 "
                           "and at most %g, not '%s'", MAX_TIMEOUT, optarg);
    if (c == TIMELINE)
        p->job->show_timeline = 1;
    if (c == SAVE)
        p->job->save_dir = optarg;
    return c >= MODEL ? model_option(p, &p->options[c - MODEL], optarg) : FETCHCLI_RUN;
}

/* One more result slot, for url. stdin_lines grows with the results, as
 * it never holds more. */
static int add_url(struct parser *p, const char *url)
{
    struct fetch_job *job = p->job;

    if (job->n == p->capacity) {
        size_t more = p->capacity ? 2 * (size_t)p->capacity : 16;
        struct fetch_result *results = realloc(job->results, more * sizeof *results);
        if (results != NULL)
            job->results = results;
        char **lines = results ? realloc(job->stdin_lines, more * sizeof *lines) : NULL;
        if (lines == NULL)
            return out_of_memory(p);
        job->stdin_lines = lines;
        p->capacity = (int)more;
    }
    job->results[job->n++] = (struct fetch_result){ .url = url };
    return FETCHCLI_RUN;
}

/* "-": the URLs on standard input, one a line, blanks around it (and a
 * \r) cut off, skipping blank lines and '#' comments. */
static int read_stdin(struct parser *p)
{
    struct fetch_job *job = p->job;
    char *line = NULL;
    size_t size = 0, len;
    int rc = FETCHCLI_RUN;

    if (p->dash++)
        return usage_error(p, "'-' (read URLs from standard input) given twice");
    errno = 0;
    while (rc == FETCHCLI_RUN && getline(&line, &size, stdin) != -1) {
        for (len = strlen(line); len > 0 && strchr(" \t\r\n", line[len - 1]); len--)
            line[len - 1] = '\0';
        char *url = line + strspn(line, " \t");
        if (url[0] == '\0' || url[0] == '#')
            continue;
        url = strdup(url);
        rc = url ? add_url(p, url) : out_of_memory(p);
        if (rc == FETCHCLI_RUN)
            job->stdin_lines[job->n_stdin_lines++] = url;
        else
            free(url);
    }
    if (rc == FETCHCLI_RUN && ferror(stdin)) {
        fprintf(stderr, "%s: reading standard input: %s\n", p->prog, strerror(errno));
        rc = 2;
    }
    free(line);
    if (rc == FETCHCLI_RUN && job->n_stdin_lines == 0)
        return usage_error(p, "no URLs on standard input");
    return rc;
}

/* A URL, or "-": those on standard input. */
static int operand(struct parser *p, const char *arg)
{
    return strcmp(arg, "-") == 0 ? read_stdin(p) : add_url(p, arg);
}

/* Handles the options and adds the URLs, in order: the leading '-' of
 * "-:h" makes getopt_long hand each URL over as code 1. */
static int read_arguments(struct parser *p, int argc, char **argv)
{
    int c, rc = FETCHCLI_RUN;

    opterr = 0;   /* the messages are ours */
    optind = 0;   /* start afresh, should a program parse twice */
    while (rc == FETCHCLI_RUN && (c = getopt_long(argc, argv, "-:h", p->longs, NULL)) != -1)
        rc = c == 1 ? operand(p, optarg) : handle_option(p, c, argv[optind - 1]);
    while (rc == FETCHCLI_RUN && optind < argc)   /* those after "--" */
        rc = operand(p, argv[optind++]);
    if (rc == FETCHCLI_RUN && p->job->n == 0)
        return usage_error(p, "no URLs given");
    for (int k = 0; rc == FETCHCLI_RUN && k < p->n_options; k++)
        if (builtin(&p->options[k], "--backend") && p->job->backend == NULL)
            return choose_backend(p, NULL);   /* not given: the default */
    return rc;
}

/* getopt_long's table: the shared options, the model's, a zeroed end. */
static struct option *long_options(const struct fetchcli_option *options, int n)
{
    struct option *longs = calloc((size_t)n + 5, sizeof *longs);

    if (longs == NULL)
        return NULL;
    longs[0] = (struct option){ "timeout", required_argument, NULL, TIMEOUT };
    longs[1] = (struct option){ "timeline", no_argument, NULL, TIMELINE };
    longs[2] = (struct option){ "save", required_argument, NULL, SAVE };
    longs[3] = (struct option){ "help", no_argument, NULL, 'h' };
    for (int k = 0; k < n; k++)
        longs[4 + k] = (struct option){ options[k].name + 2,
            metavar(&options[k])[0] ? required_argument : no_argument, NULL, MODEL + k };
    return longs;
}

int fetchcli_parse(struct fetch_job *job, int argc, char **argv, const char *model,
                   const char *about, const struct fetchcli_option *options, int n_options)
{
    const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
    struct parser p = {
        .job = job, .about = about, .options = options, .n_options = n_options,
        .prog = slash ? slash + 1 : argc > 0 ? argv[0] : model,
    };
    struct sigaction ignore = { .sa_handler = SIG_IGN };

    memset(job, 0, sizeof *job);
    job->model = model;
    job->timeout = FETCHCLI_DEFAULT_TIMEOUT;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, NULL);   /* a peer that closes early: EPIPE */
    p.longs = long_options(options, n_options);
    int rc = p.longs ? read_arguments(&p, argc, argv) : out_of_memory(&p);
    free(p.longs);
    if (rc != FETCHCLI_RUN) {
        job_free(job);
        return rc;
    }
    job->t0 = timeline_now();
    if (p.trace)
        trace_start(job->t0);
    return FETCHCLI_RUN;
}

/* Writes each fetched body to DIR/<index>; stops at the first error. */
static int save_bodies(const struct fetch_job *job)
{
    char path[4096];

    if (mkdir(job->save_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: mkdir %s: %s\n", job->model, job->save_dir, strerror(errno));
        return -1;
    }
    for (int i = 0; i < job->n; i++) {
        const struct fetch_result *r = &job->results[i];
        const char *what = "open";
        if (r->error[0] != '\0')
            continue;
        errno = ENAMETOOLONG;   /* unless the path fits and fopen says otherwise */
        int fits = snprintf(path, sizeof path, "%s/%d", job->save_dir, i + 1) < (int)sizeof path;
        FILE *f = fits ? fopen(path, "wb") : NULL;
        if (f != NULL) {
            what = "write";
            size_t wrote = r->body ? fwrite(r->body, 1, r->bytes, f) : 0;
            if (fclose(f) == 0 && wrote == r->bytes)   /* a full disk may show at fclose */
                continue;
        }
        fprintf(stderr, "%s: %s %s: %s\n", job->model, what, path, strerror(errno));
        return -1;
    }
    return 0;
}

int fetchcli_finish(struct fetch_job *job)
{
    double t1 = timeline_now();
    int rc = 0;

    if (job->results == NULL)   /* finished already, or never parsed */
        return 0;
    report_print(stdout, stderr, job->model, job->results, job->n, job->t0, t1);
    if (report_failures(job->results, job->n) > 0)
        rc = 1;
    if (job->show_timeline) {
        printf("\n");
        report_timeline(stdout, job->results, job->n, job->t0);
    }
    if (job->save_dir && save_bodies(job) != 0)
        rc = 1;
    /* A report that could not be written (a full disk, a closed pipe) is a
     * failure too, not a silent exit 0. ferror remembers earlier writes. */
    if (fflush(stdout) == EOF || ferror(stdout)) {
        fprintf(stderr, "%s: writing the report: %s\n", job->model, strerror(errno));
        rc = 1;
    }
    job_free(job);
    return rc;
}
