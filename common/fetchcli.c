/* fetchcli: the command line every fetcher shares (options, the URL list,
 * "-" for standard input, --help, exit codes) and the end of every run
 * (report, timeline, --save, freeing). Left out: short option bundles
 * ("-ab"), abbreviated long options, anything that would make a chapter's
 * command line differ from another's.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fetchcli.h"
#include "reactor.h"
#include "timeline.h"
#include "trace.h"

#define MAX_TIMEOUT 3600.0

/* The state of one fetchcli_parse call. */
struct parser {
    struct fetch_job *job;
    const char *prog;                      /* basename of argv[0] */
    const char *about;
    const struct fetchcli_option *options;
    int n_options;
    const char **urls;                     /* URL arguments and "-", in order */
    int n_urls;
    int dash;                              /* "-" was given */
    int trace;                             /* --trace was given */
};

static int usage_error(const struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

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

/* ---- help ---------------------------------------------------------------- */

/* Is o fetchcli's own --backend or --trace (FETCHCLI_BACKEND, _TRACE)? */
static int builtin(const struct fetchcli_option *o, const char *name)
{
    return o->value == NULL && o->text == NULL && strcmp(o->name, name) == 0;
}

static const char *metavar(const struct fetchcli_option *o)
{
    return o->metavar ? o->metavar : o->value ? "N" : "WORD";
}

static const char *option_help(const struct fetchcli_option *o)
{
    if (builtin(o, "--backend"))
        return "how the reactor waits: " REACTOR_BACKENDS "\n"
               "                   (default: $WAITLESS_BACKEND if set, else select)";
    if (builtin(o, "--trace"))
        return "a line on stderr per wait, wake and connection step";
    return o->help;
}

static void print_option(const char *name, const char *var, const char *help)
{
    char left[64];

    snprintf(left, sizeof left, "%s%s%s", name, var[0] ? " " : "", var);
    printf("  %-16s %s\n", left, help ? help : "");
}

/* Prints word after the usage line so far, wrapping it before column 80. */
static void usage_word(int *col, const char *fmt, const char *a, const char *b)
{
    char word[128];
    int len = snprintf(word, sizeof word, fmt, a, b);

    if (*col + 1 + len >= 80) {
        printf("\n       ");
        *col = 7;
    }
    *col += printf(" %s", word);
}

static void print_help(const struct parser *p)
{
    int col = printf("Usage: %s", p->prog);

    usage_word(&col, "%s%s", "[--timeout S] [--timeline] [--save DIR]", "");
    for (int i = 0; i < p->n_options; i++)
        usage_word(&col, metavar(&p->options[i])[0] ? "[%s %s]" : "[%s%s]",
                   p->options[i].name, metavar(&p->options[i]));
    usage_word(&col, "%s%s", "URL... | -", "");
    printf("\n");
    if (p->about)
        printf("%s\n", p->about);
    printf("\nFetches every URL, then prints one line per URL and a summary line.\n"
           "'-' reads URLs from standard input, one per line ('#' starts a comment).\n"
           "\nOptions:\n");
    char timeout_help[64];
    snprintf(timeout_help, sizeof timeout_help,
             "give up on a fetch after S seconds (default %g)", FETCHCLI_DEFAULT_TIMEOUT);
    print_option("--timeout", "S", timeout_help);
    print_option("--timeline", "", "draw when each fetch ran, one bar per URL");
    print_option("", "", "(an axis of $WAITLESS_TIMELINE_SPAN s at least, if set)");
    print_option("--save", "DIR", "write the bodies to DIR/1, DIR/2, ... (URL order)");
    for (int i = 0; i < p->n_options; i++)
        print_option(p->options[i].name, metavar(&p->options[i]), option_help(&p->options[i]));
    print_option("-h, --help", "", "print this help and exit");
    printf("\nExit codes: 0 every URL fetched, 1 any failed, 2 usage error.\n"
           "\nExample, with the slow server's address in $SLOW:\n"
           "  %s --timeline \"$SLOW/slow?delay=0.5\" \"$SLOW/slow?delay=0.25\"\n",
           p->prog);
}

/* ---- option values ------------------------------------------------------- */

/* Strict: a plain decimal number ("0.5", "2", "1e-3"), the whole string,
 * finite, in (0, MAX_TIMEOUT]. strtod alone would also take " 1", "inf",
 * "nan" and "0x1p3". */
static int parse_timeout(const char *text, double *out)
{
    char *end;

    if (text[0] == '\0' || strspn(text, "0123456789.eE+-") != strlen(text))
        return -1;
    errno = 0;
    double t = strtod(text, &end);
    if (*end != '\0' || errno != 0 || !isfinite(t) || !(t > 0) || t > MAX_TIMEOUT)
        return -1;
    *out = t;
    return 0;
}

/* Strict: an optional sign and digits, the whole string, in [min, max]. */
static int parse_int(const char *text, int min, int max, int *out)
{
    char *end;

    if (strspn(text, "+-0123456789") != strlen(text) || text[0] == '\0')
        return -1;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (*end != '\0' || errno != 0 || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

/* If argv[*i] is `name` or `name=VALUE`, sets *value (the next argument in
 * the first form) and returns 1; returns 0 for any other argument, and -1
 * after printing a usage error. */
static int match_option(const struct parser *p, const char *name, int argc,
                        char **argv, int *i, const char **value)
{
    const char *arg = argv[*i];
    size_t len = strlen(name);

    if (strncmp(arg, name, len) != 0 || (arg[len] != '\0' && arg[len] != '='))
        return 0;
    if (arg[len] == '=')
        *value = arg + len + 1;
    else if (*i + 1 < argc)
        *value = argv[++*i];
    else
        *value = "";
    if (**value == '\0') {
        usage_error(p, "option '%s' needs a value", name);
        return -1;
    }
    return 1;
}

/* A backend the reactor knows (epoll on Linux only): making one tells. */
static int backend_known(const char *name)
{
    struct reactor *r = reactor_new_backend(name);
    int known = r != NULL || errno != EINVAL;
    reactor_free(r);
    return known;
}

/* --backend NAME, or else $WAITLESS_BACKEND, or else select. */
static int choose_backend(struct parser *p, const char *name)
{
    if (name != NULL) {
        if (!backend_known(name))
            return usage_error(p, "--backend must be %s, not '%s'", REACTOR_BACKENDS, name);
    } else if ((name = getenv("WAITLESS_BACKEND")) == NULL || name[0] == '\0') {
        name = "select";
    } else if (!backend_known(name)) {
        return usage_error(p, "WAITLESS_BACKEND=%s: unknown backend (choose %s)",
                           name, REACTOR_BACKENDS);
    }
    p->job->backend = name;
    return FETCHCLI_RUN;
}

/* Tries the model's options on argv[*i]: 1 taken, 0 not one, -1 error. */
static int model_option(struct parser *p, int argc, char **argv, int *i)
{
    for (int k = 0; k < p->n_options; k++) {
        const struct fetchcli_option *o = &p->options[k];
        const char *value;
        if (builtin(o, "--trace")) {          /* a flag, like --timeline */
            if (strcmp(argv[*i], "--trace") == 0) {
                p->trace = 1;
                return 1;
            }
            if (strncmp(argv[*i], "--trace=", 8) == 0) {
                usage_error(p, "option '--trace' takes no value");
                return -1;
            }
            continue;
        }
        int m = match_option(p, o->name, argc, argv, i, &value);
        if (m < 0)
            return -1;
        if (m == 0)
            continue;
        if (builtin(o, "--backend")) {
            if (choose_backend(p, value) != FETCHCLI_RUN)
                return -1;
        } else if (o->value == NULL) {
            if (o->text)
                *o->text = value;
        } else if (parse_int(value, o->min, o->max, o->value) != 0) {
            usage_error(p, "%s must be a number from %d to %d, not '%s'",
                        o->name, o->min, o->max, value);
            return -1;
        }
        return 1;
    }
    return 0;
}

/* Handles the option argv[*i]: FETCHCLI_RUN to go on, else the exit code. */
static int handle_option(struct parser *p, int argc, char **argv, int *i)
{
    const char *arg = argv[*i], *value;
    int m;

    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
        print_help(p);
        return 0;
    }
    if (strcmp(arg, "--timeline") == 0) {
        p->job->show_timeline = 1;
        return FETCHCLI_RUN;
    }
    if (strncmp(arg, "--timeline=", 11) == 0)
        return usage_error(p, "option '--timeline' takes no value");
    if ((m = match_option(p, "--timeout", argc, argv, i, &value)) != 0) {
        if (m < 0)
            return 2;
        if (parse_timeout(value, &p->job->timeout) != 0)
            return usage_error(p, "--timeout must be a number of seconds, more than 0 "
                               "and at most %g, not '%s'", MAX_TIMEOUT, value);
        return FETCHCLI_RUN;
    }
    if ((m = match_option(p, "--save", argc, argv, i, &value)) != 0) {
        if (m < 0)
            return 2;
        p->job->save_dir = value;
        return FETCHCLI_RUN;
    }
    if ((m = model_option(p, argc, argv, i)) != 0)
        return m < 0 ? 2 : FETCHCLI_RUN;
    return usage_error(p, "unknown option '%s'", arg);
}

/* Sorts argv into options (handled) and URLs (kept in p->urls, in order). */
static int read_arguments(struct parser *p, int argc, char **argv)
{
    int options_done = 0;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = 1;
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            int rc = handle_option(p, argc, argv, &i);
            if (rc != FETCHCLI_RUN)
                return rc;
        } else {
            if (strcmp(arg, "-") == 0 && p->dash++)
                return usage_error(p, "'-' (read URLs from standard input) given twice");
            p->urls[p->n_urls++] = arg;
        }
    }
    if (p->n_urls == 0)
        return usage_error(p, "no URLs given");
    for (int k = 0; k < p->n_options; k++)     /* --backend not given: the default */
        if (builtin(&p->options[k], "--backend") && p->job->backend == NULL)
            return choose_backend(p, NULL);
    return FETCHCLI_RUN;
}

/* The URL on a line: blanks around it, and a trailing \r, cut off. */
static char *trim(char *line)
{
    size_t len = strlen(line);

    while (len > 0 && strchr(" \t\r\n", line[len - 1]))
        line[--len] = '\0';
    return line + strspn(line, " \t");
}

static int add_stdin_line(struct fetch_job *job, int *capacity, const char *url)
{
    if (job->n_stdin_lines == *capacity) {
        int more = *capacity ? 2 * *capacity : 16;
        char **lines = realloc(job->stdin_lines, (size_t)more * sizeof *lines);
        if (lines == NULL)
            return -1;
        job->stdin_lines = lines;
        *capacity = more;
    }
    char *copy = strdup(url);
    if (copy == NULL)
        return -1;
    job->stdin_lines[job->n_stdin_lines++] = copy;
    return 0;
}

/* Reads the URLs of "-": one a line, skipping blank lines and '#' comments. */
static int read_stdin(struct parser *p)
{
    char *line = NULL;
    size_t size = 0;
    int capacity = 0, rc = FETCHCLI_RUN;

    errno = 0;
    while (getline(&line, &size, stdin) != -1) {
        const char *url = trim(line);
        if (url[0] == '\0' || url[0] == '#')
            continue;
        if (add_stdin_line(p->job, &capacity, url) != 0) {
            rc = out_of_memory(p);
            break;
        }
    }
    if (rc == FETCHCLI_RUN && ferror(stdin)) {
        fprintf(stderr, "%s: reading standard input: %s\n", p->prog, strerror(errno));
        rc = 2;
    }
    free(line);
    if (rc == FETCHCLI_RUN && p->job->n_stdin_lines == 0)
        rc = usage_error(p, "no URLs on standard input");
    return rc;
}

/* One result slot per URL, "-" replaced by the lines read from stdin. */
static int make_results(struct parser *p)
{
    struct fetch_job *job = p->job;
    int n = p->n_urls - (p->dash ? 1 : 0) + job->n_stdin_lines;

    job->results = calloc((size_t)n, sizeof *job->results);
    if (job->results == NULL)
        return out_of_memory(p);
    job->n = n;
    for (int i = 0, k = 0; i < p->n_urls; i++) {
        if (strcmp(p->urls[i], "-") != 0) {
            job->results[k++].url = p->urls[i];
            continue;
        }
        for (int j = 0; j < job->n_stdin_lines; j++)
            job->results[k++].url = job->stdin_lines[j];
    }
    return FETCHCLI_RUN;
}

static void ignore_sigpipe(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
}

int fetchcli_parse(struct fetch_job *job, int argc, char **argv, const char *model,
                   const char *about, const struct fetchcli_option *options, int n_options)
{
    const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
    struct parser p = {
        .job = job, .about = about, .options = options, .n_options = n_options,
        .prog = slash ? slash + 1 : argc > 0 ? argv[0] : model,
    };

    memset(job, 0, sizeof *job);
    job->model = model;
    job->timeout = FETCHCLI_DEFAULT_TIMEOUT;
    ignore_sigpipe();
    p.urls = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *p.urls);
    if (p.urls == NULL)
        return out_of_memory(&p);
    int rc = read_arguments(&p, argc, argv);
    if (rc == FETCHCLI_RUN && p.dash)
        rc = read_stdin(&p);
    if (rc == FETCHCLI_RUN)
        rc = make_results(&p);
    free(p.urls);
    if (rc != FETCHCLI_RUN) {
        job_free(job);
        return rc;
    }
    job->t0 = timeline_now();
    if (p.trace)
        trace_start(job->t0);
    return FETCHCLI_RUN;
}

/* ---- the end of a run ---------------------------------------------------- */

static int save_body(const char *model, const char *dir, int index,
                     const struct fetch_result *r)
{
    char path[4096];

    if (snprintf(path, sizeof path, "%s/%d", dir, index) >= (int)sizeof path) {
        fprintf(stderr, "%s: save %s/%d: %s\n", model, dir, index, strerror(ENAMETOOLONG));
        return -1;
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        fprintf(stderr, "%s: open %s: %s\n", model, path, strerror(errno));
        return -1;
    }
    int ok = r->bytes == 0 || r->body == NULL || fwrite(r->body, 1, r->bytes, f) == r->bytes;
    int saved_errno = errno;
    if (fclose(f) != 0 && ok) {   /* a full disk may only show up here */
        ok = 0;
        saved_errno = errno;
    }
    if (!ok)
        fprintf(stderr, "%s: write %s: %s\n", model, path, strerror(saved_errno));
    return ok ? 0 : -1;
}

/* Writes each fetched body to DIR/<index>; stops at the first error. */
static int save_bodies(const struct fetch_job *job)
{
    if (mkdir(job->save_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: mkdir %s: %s\n", job->model, job->save_dir, strerror(errno));
        return -1;
    }
    for (int i = 0; i < job->n; i++) {
        const struct fetch_result *r = &job->results[i];
        if (r->error[0] == '\0' && save_body(job->model, job->save_dir, i + 1, r) != 0)
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
