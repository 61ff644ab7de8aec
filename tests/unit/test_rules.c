/* test_rules.c - unit tests for src/rules.c: Falco-format rule files loaded
 * from buffers, temporary files and directories; lists, macros and rules;
 * append and override across items and files; exceptions; skipped rules;
 * diagnostics with exact lines and columns; the per-type index.
 *
 * Rules are checked by evaluating them against hand-built ring-buffer
 * records (struct vigil_event_hdr + struct vigil_field payloads, decoded with
 * vigil_event_decode), with the process set in the evaluation context.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "decode.h"
#include "rules.h"
#include "vigil_abi.h"

/* ------------------------------------------------------------------------ */
/* Events                                                                    */

static struct {
	uint64_t rec[VIGIL_EVENT_MAX / 8];
	struct vigil_event ev;
	struct vigil_decode_buf buf;
	struct vigil_eval_ctx ctx;
	struct vigil_proc proc;
	struct vigil_cgroup_info cgroup;
	struct vigil_proctable *procs;
} E;

/* An event of `type` by process `comm` (uid 1000) on the file `name`. */
static struct vigil_eval_ctx *event(uint32_t type, const char *comm, const char *name)
{
	struct vigil_event_hdr *h = (struct vigil_event_hdr *)E.rec;
	size_t len = sizeof(*h);

	memset(E.rec, 0, sizeof(E.rec));
	h->type = type;
	h->pid = h->tid = 4242;
	h->ppid = 1;
	h->uid = h->euid = 1000;
	h->flags = VIGIL_HDR_HAS_RET;
	snprintf(h->comm, sizeof(h->comm), "%s", comm);
	if (name) {
		struct vigil_field f = {.id = VIGIL_F_NAME, .kind = VIGIL_K_STR};

		f.len = (uint32_t)strlen(name) + 1;
		memcpy((char *)E.rec + len, &f, sizeof(f));
		memcpy((char *)E.rec + len + sizeof(f), name, f.len);
		len += sizeof(f) + ((f.len + 7u) & ~7u);
	}
	h->size = (uint32_t)len;
	assert_int_equal(vigil_event_decode(E.rec, len, &E.ev, &E.buf), 0);

	memset(&E.proc, 0, sizeof(E.proc));
	E.proc.pid = 4242;
	E.proc.ppid = 1;
	E.proc.uid = 1000;
	snprintf(E.proc.comm, sizeof(E.proc.comm), "%s", comm);
	snprintf(E.proc.exe, sizeof(E.proc.exe), "/usr/bin/%s", comm);
	memcpy(E.proc.args, comm, strlen(comm) + 1);
	E.proc.args_len = (uint16_t)(strlen(comm) + 1);
	snprintf(E.proc.cwd, sizeof(E.proc.cwd), "/");
	snprintf(E.cgroup.path, sizeof(E.cgroup.path), "/");
	E.cgroup.resolved = true;

	E.ctx.ev = &E.ev;
	E.ctx.procs = E.procs;
	E.ctx.proc = &E.proc;
	E.ctx.cgroup = &E.cgroup;
	E.ctx.hostname = "testhost";
	E.ctx.evt_num++;
	vigil_eval_ctx_reset(&E.ctx);
	return &E.ctx;
}

static char matched[512];

static void on_match(const struct vigil_rule *rule, struct vigil_eval_ctx *ctx, void *arg)
{
	size_t n = strlen(matched);

	(void)ctx;
	(*(size_t *)arg)++;
	snprintf(matched + n, sizeof(matched) - n, "%s%s", n ? "," : "", rule->name);
}

/* The names of the rules an event matches, comma-separated, in order. */
static const char *eval(const struct vigil_ruleset *rs, uint32_t type, const char *comm,
			const char *name)
{
	struct vigil_eval_ctx *c = event(type, comm, name);
	size_t calls = 0, n;

	matched[0] = '\0';
	n = vigil_ruleset_eval(rs, c, on_match, &calls);
	assert_int_equal(n, calls);
	return matched;
}

#define OPENAT VIGIL_EVT_OPENAT
#define EXECVE VIGIL_EVT_EXECVE

/* ------------------------------------------------------------------------ */
/* Loading helpers                                                           */

static struct vigil_ruleset *load(const char *yaml, struct vigil_diag *d)
{
	return vigil_ruleset_load_buffer("test.yaml", yaml, strlen(yaml), d);
}

/* Loads yaml that must compile with no error; warnings are allowed. */
static struct vigil_ruleset *load_ok(const char *yaml, struct vigil_diag *d)
{
	struct vigil_ruleset *rs = load(yaml, d);

	if (!rs || d->errors)
		vigil_diag_print(d, stderr);
	assert_non_null(rs);
	assert_int_equal(d->errors, 0);
	return rs;
}

/* The first entry of that kind whose message contains `msg`. */
static const struct vigil_diag_entry *find_diag(const struct vigil_diag *d,
						enum vigil_diag_kind kind, const char *msg)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].kind == kind && strstr(d->v[i].msg, msg))
			return &d->v[i];
	vigil_diag_print(d, stderr);
	fail_msg("no diagnostic containing \"%s\"", msg);
	return NULL;
}

/* Loads yaml that must fail with an error containing msg at line:col
 * (col 0: not checked). */
static void expect_error(const char *yaml, const char *msg, int line, int col)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs = load(yaml, &d);
	const struct vigil_diag_entry *e;
	int got_line, got_col;

	assert_null(rs);
	assert_true(d.errors > 0);
	e = find_diag(&d, VIGIL_DIAG_ERROR, msg);
	assert_string_equal(e->file, "test.yaml");
	got_line = e->line;
	got_col = e->col;
	if (got_line != line || (col && got_col != col))
		vigil_diag_print(&d, stderr);
	vigil_diag_free(&d);
	if (got_line != line || (col && got_col != col))
		fail_msg("expected %d:%d, got %d:%d", line, col, got_line, got_col);
}

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vigil-test-rules-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	E.procs = vigil_proctable_new(64);
	return E.procs ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		return -1;
	vigil_proctable_free(E.procs);
	return 0;
}

/* Writes tmpdir/rel; returns its path (static buffer per call slot). */
static const char *write_file(const char *rel, const char *text)
{
	static char paths[8][256];
	static int slot;
	char *p = paths[slot++ % 8];
	FILE *f;

	snprintf(p, 256, "%s/%s", tmpdir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
	return p;
}

/* ------------------------------------------------------------------------ */
/* Basics                                                                    */

static void test_priorities(void **state)
{
	(void)state;
	assert_int_equal(vigil_priority_parse("EMERGENCY"), VIGIL_PRIO_EMERGENCY);
	assert_int_equal(vigil_priority_parse("alert"), VIGIL_PRIO_ALERT);
	assert_int_equal(vigil_priority_parse("Critical"), VIGIL_PRIO_CRITICAL);
	assert_int_equal(vigil_priority_parse("ERROR"), VIGIL_PRIO_ERROR);
	assert_int_equal(vigil_priority_parse("warning"), VIGIL_PRIO_WARNING);
	assert_int_equal(vigil_priority_parse("NOTICE"), VIGIL_PRIO_NOTICE);
	assert_int_equal(vigil_priority_parse("INFO"), VIGIL_PRIO_INFORMATIONAL);
	assert_int_equal(vigil_priority_parse("informational"), VIGIL_PRIO_INFORMATIONAL);
	assert_int_equal(vigil_priority_parse("Debug"), VIGIL_PRIO_DEBUG);
	assert_int_equal(vigil_priority_parse("severe"), -1);
	assert_int_equal(vigil_priority_parse(""), -1);
	assert_int_equal(vigil_priority_parse(NULL), -1);
	assert_string_equal(vigil_priority_name(VIGIL_PRIO_EMERGENCY), "Emergency");
	assert_string_equal(vigil_priority_name(VIGIL_PRIO_ALERT), "Alert");
	assert_string_equal(vigil_priority_name(VIGIL_PRIO_CRITICAL), "Critical");
	assert_string_equal(vigil_priority_name(VIGIL_PRIO_ERROR), "Error");
	assert_string_equal(vigil_priority_name(VIGIL_PRIO_WARNING), "Warning");
	assert_string_equal(vigil_priority_name(VIGIL_PRIO_NOTICE), "Notice");
	assert_string_equal(vigil_priority_name(VIGIL_PRIO_INFORMATIONAL), "Informational");
	assert_string_equal(vigil_priority_name(VIGIL_PRIO_DEBUG), "Debug");
}

static const char basic_yaml[] =
    "# comment line\n"				/* 1 */
    "- list: shells\n"				/* 2 */
    "  items: [bash, zsh]\n"			/* 3 */
    "- macro: opened\n"				/* 4 */
    "  condition: evt.type in (open, openat)\n" /* 5 */
    "- rule: Shell opens tmp\n"			/* 6 */
    "  desc: a shell opens a file below /tmp\n" /* 7 */
    "  condition: opened and proc.name in (shells) and fd.name startswith /tmp/\n"
    "  output: \"%proc.name opened %fd.name (pid=%proc.pid)\"\n" /* 9 */
    "  priority: warning\n"					 /* 10 */
    "  tags: [file, shell]\n";					 /* 11 */

static void test_basic(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs = load_ok(basic_yaml, &d);
	const struct vigil_rule *r;
	bool types[VIGIL_EVT_MAX];

	(void)state;
	assert_int_equal(d.warnings, 0);
	assert_int_equal(vigil_ruleset_count(rs), 1);
	assert_null(vigil_ruleset_rule(rs, 1));
	r = vigil_ruleset_rule(rs, 0);
	assert_string_equal(r->name, "Shell opens tmp");
	assert_string_equal(r->desc, "a shell opens a file below /tmp");
	assert_string_equal(r->condition_text,
			    "opened and proc.name in (shells) and fd.name startswith /tmp/");
	assert_int_equal(r->priority, VIGIL_PRIO_WARNING);
	assert_true(r->enabled);
	assert_string_equal(r->file, "test.yaml");
	assert_int_equal(r->line, 6);
	assert_int_equal(r->ntags, 2);
	assert_string_equal(r->tags[0], "file");
	assert_string_equal(r->tags[1], "shell");

	/* output: literal text and %fields, as written */
	assert_int_equal(r->nout_parts, 6);
	assert_true(r->out_parts[0].is_field);
	assert_string_equal(r->out_parts[0].text, "proc.name");
	assert_false(r->out_parts[1].is_field);
	assert_string_equal(r->out_parts[1].text, " opened ");
	assert_string_equal(r->out_parts[2].text, "fd.name");
	assert_string_equal(r->out_parts[3].text, " (pid=");
	assert_true(r->out_parts[4].is_field);
	assert_string_equal(r->out_parts[4].text, "proc.pid");
	assert_false(r->out_parts[5].is_field);
	assert_string_equal(r->out_parts[5].text, ")");

	assert_true(r->types[VIGIL_EVT_OPEN]);
	assert_true(r->types[VIGIL_EVT_OPENAT]);
	assert_false(r->types[VIGIL_EVT_EXECVE]);
	vigil_ruleset_event_types(rs, types);
	for (int t = 0; t < VIGIL_EVT_MAX; t++)
		assert_int_equal(types[t], t == VIGIL_EVT_OPEN || t == VIGIL_EVT_OPENAT);

	assert_string_equal(eval(rs, OPENAT, "bash", "/tmp/x"), "Shell opens tmp");
	assert_string_equal(eval(rs, VIGIL_EVT_OPEN, "zsh", "/tmp/y"), "Shell opens tmp");
	assert_string_equal(eval(rs, OPENAT, "zsh", "/etc/passwd"), "");
	assert_string_equal(eval(rs, OPENAT, "cat", "/tmp/x"), "");
	assert_string_equal(eval(rs, EXECVE, "bash", "/tmp/x"), "");
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);
}

static void test_empty_files(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs;
	bool types[VIGIL_EVT_MAX];

	(void)state;
	rs = load_ok("", &d);
	assert_int_equal(vigil_ruleset_count(rs), 0);
	vigil_ruleset_event_types(rs, types);
	for (int t = 0; t < VIGIL_EVT_MAX; t++)
		assert_false(types[t]);
	assert_string_equal(eval(rs, OPENAT, "bash", "/tmp/x"), "");
	vigil_ruleset_free(rs);
	rs = load_ok("# only a comment\n\n# and another\n", &d);
	assert_int_equal(vigil_ruleset_count(rs), 0);
	vigil_ruleset_free(rs);
	rs = load_ok("---\n[]\n", &d);
	assert_int_equal(vigil_ruleset_count(rs), 0);
	vigil_ruleset_free(rs);
	assert_int_equal(d.n, 0);
	vigil_diag_free(&d);
	/* no diag: still works */
	rs = vigil_ruleset_load_buffer("x", "[]", 2, NULL);
	assert_non_null(rs);
	vigil_ruleset_free(rs);
	assert_null(vigil_ruleset_load_buffer("x", "- rule: R\n", 10, NULL));
}

/* A redefinition replaces the rule but keeps its place in the order. */
static void test_redefine_replaces(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs;
	const struct vigil_rule *r;

	(void)state;
	rs = load_ok("- rule: A\n"
		     "  desc: first\n"
		     "  condition: evt.type = openat and proc.name = bash\n"
		     "  output: a\n"
		     "  priority: INFO\n"
		     "  tags: [x]\n"
		     "- rule: B\n"
		     "  desc: b\n"
		     "  condition: evt.type = openat\n"
		     "  output: b\n"
		     "  priority: INFO\n"
		     "- rule: A\n"
		     "  desc: second\n"
		     "  condition: evt.type = openat and proc.name = zsh\n"
		     "  output: a2\n"
		     "  priority: ERROR\n",
		     &d);
	assert_int_equal(vigil_ruleset_count(rs), 2);
	r = vigil_ruleset_rule(rs, 0);
	assert_string_equal(r->name, "A");
	assert_string_equal(r->desc, "second");
	assert_int_equal(r->priority, VIGIL_PRIO_ERROR);
	assert_int_equal(r->ntags, 0);
	assert_int_equal(r->line, 12);
	assert_string_equal(vigil_ruleset_rule(rs, 1)->name, "B");
	assert_string_equal(eval(rs, OPENAT, "bash", "/x"), "B");
	assert_string_equal(eval(rs, OPENAT, "zsh", "/x"), "A,B");
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);
}

/* The shapes upstream Falco rule files use: macros of macros, lists of
 * lists with quoted items, evt.dir, pmatch, indexed and keyed fields,
 * %container.info, long folded conditions and outputs. */
static const char falco_style[] =
    "- required_engine_version: 0.31.0\n"
    "- list: sh_shells\n"
    "  items: [sh, bash]\n"
    "- list: other_shells\n"
    "  items: [zsh, '\"fish shell\"']\n"
    "- list: all_shells\n"
    "  items: [sh_shells, other_shells, tcsh]\n"
    "- list: secret_dirs\n"
    "  items: [/etc/ssh, /root/.ssh]\n"
    "- macro: open_read\n"
    "  condition: (evt.type in (open, openat, openat2) and evt.is_open_read=true and fd.num>=0)\n"
    "- macro: spawned_process\n"
    "  condition: (evt.type in (execve, execveat) and evt.dir=<)\n"
    "- macro: shell_procs\n"
    "  condition: proc.name in (all_shells)\n"
    "- macro: user_known_secret_readers\n"
    "  condition: (never_true)\n"
    "- macro: never_true\n"
    "  condition: (evt.num=0)\n"
    "- rule: Shell reads secrets\n"
    "  desc: >\n"
    "    A shell read a file below a secret directory.\n"
    "  condition: >\n"
    "    open_read\n"
    "    and shell_procs\n"
    "    and fd.name pmatch (secret_dirs)\n"
    "    and not user_known_secret_readers\n"
    "  output: >\n"
    "    Secret read by shell (file=%fd.name proc=%proc.name parent=%proc.aname[1]\n"
    "    flags=%evt.arg.flags %container.info)\n"
    "  priority: WARNING\n"
    "  tags: [host, container, filesystem, mitre_credential_access]\n"
    "- rule: Shell spawned\n"
    "  desc: a shell was started\n"
    "  condition: spawned_process and shell_procs and not proc.pname in (all_shells)\n"
    "  output: Shell (cmdline=%proc.cmdline args=%evt.args)\n"
    "  priority: NOTICE\n"
    "  tags: [shell]\n";

static void test_falco_style(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs = load_ok(falco_style, &d);
	const struct vigil_rule *r;

	(void)state;
	if (d.n)
		vigil_diag_print(&d, stderr);
	assert_int_equal(d.n, 0);
	assert_int_equal(vigil_ruleset_count(rs), 2);
	r = vigil_ruleset_rule(rs, 0);
	assert_string_equal(r->desc, "A shell read a file below a secret directory.");
	assert_true(r->types[VIGIL_EVT_OPENAT]);
	assert_true(r->types[VIGIL_EVT_OPENAT2]);
	assert_false(r->types[VIGIL_EVT_EXECVE]);
	assert_string_equal(r->out_parts[r->nout_parts - 1].text, ")");
	assert_string_equal(r->out_parts[r->nout_parts - 2].text, "container.info");
	r = vigil_ruleset_rule(rs, 1);
	assert_true(r->types[VIGIL_EVT_EXECVE]);
	assert_true(r->types[VIGIL_EVT_EXECVEAT]);
	assert_false(r->types[VIGIL_EVT_OPENAT]);
	assert_string_equal(eval(rs, EXECVE, "fish shell", NULL), "Shell spawned");
	assert_string_equal(eval(rs, EXECVE, "tcsh", NULL), "Shell spawned");
	assert_string_equal(eval(rs, EXECVE, "python3", NULL), "");
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);
}

/* Several YAML documents in one file are read in turn. */
static void test_documents(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs;

	(void)state;
	rs = load_ok("---\n"
		     "- list: names\n"
		     "  items: [a]\n"
		     "---\n"
		     "- list: names\n"
		     "  items: [b]\n"
		     "  append: true\n"
		     "- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat and proc.name in (names)\n"
		     "  output: o\n"
		     "  priority: INFO\n"
		     "...\n",
		     &d);
	assert_string_equal(eval(rs, OPENAT, "b", "/x"), "R");
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);
}

/* ------------------------------------------------------------------------ */
/* Append and override                                                       */

static void test_append_across_files(void **state)
{
	const char *paths[2];
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs;
	const struct vigil_rule *r;

	(void)state;
	paths[0] =
	    write_file("base.yaml", "- list: shells\n"
				    "  items: [bash]\n"
				    "- macro: tmp_file\n"
				    "  condition: fd.name startswith /tmp/\n"
				    "- rule: Shell writes\n"
				    "  desc: d\n"
				    "  condition: evt.type = openat and proc.name in (shells) and "
				    "tmp_file\n"
				    "  output: \"%proc.name\"\n"
				    "  priority: NOTICE\n");
	paths[1] = write_file("local.yaml", "- list: shells\n"
					    "  items: [zsh]\n"
					    "  append: true\n"
					    "- macro: tmp_file\n"
					    "  condition: or fd.name startswith /var/tmp/\n"
					    "  append: true\n"
					    "- rule: Shell writes\n"
					    "  condition: and not fd.name endswith .lock\n"
					    "  append: true\n");
	rs = vigil_ruleset_load(paths, 2, &d);
	if (!rs)
		vigil_diag_print(&d, stderr);
	assert_non_null(rs);
	assert_int_equal(d.n, 0);
	r = vigil_ruleset_rule(rs, 0);
	assert_string_equal(r->condition_text, "evt.type = openat and proc.name in (shells) and "
					       "tmp_file and not fd.name endswith .lock");
	assert_string_equal(r->file, paths[0]);
	assert_int_equal(r->line, 5);
	assert_string_equal(eval(rs, OPENAT, "bash", "/tmp/x"), "Shell writes");
	assert_string_equal(eval(rs, OPENAT, "zsh", "/var/tmp/x"), "Shell writes");
	assert_string_equal(eval(rs, OPENAT, "zsh", "/tmp/a.lock"), "");
	assert_string_equal(eval(rs, OPENAT, "sh", "/tmp/x"), "");
	assert_string_equal(eval(rs, OPENAT, "bash", "/home/x"), "");
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);
}

static void test_override(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs;
	const struct vigil_rule *r;

	(void)state;
	rs = load_ok("- list: shells\n"
		     "  items: [bash, zsh]\n"
		     "- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat and proc.name in (shells)\n"
		     "  output: o\n"
		     "  priority: INFO\n"
		     "  tags: [a]\n"
		     "- list: shells\n"
		     "  items: [sh]\n"
		     "  override:\n"
		     "    items: replace\n"
		     "- rule: R\n"
		     "  condition: and fd.name startswith /etc/\n"
		     "  priority: CRITICAL\n"
		     "  tags: [b, a]\n"
		     "  desc: more\n"
		     "  output: \"by %proc.name\"\n"
		     "  override:\n"
		     "    condition: append\n"
		     "    priority: replace\n"
		     "    tags: append\n"
		     "    desc: append\n"
		     "    output: replace\n",
		     &d);
	assert_int_equal(d.n, 0);
	r = vigil_ruleset_rule(rs, 0);
	assert_int_equal(r->priority, VIGIL_PRIO_CRITICAL);
	assert_int_equal(r->ntags, 2);
	assert_string_equal(r->tags[0], "a");
	assert_string_equal(r->tags[1], "b");
	assert_string_equal(r->desc, "d more");
	assert_int_equal(r->nout_parts, 2);
	assert_string_equal(r->out_parts[0].text, "by ");
	assert_string_equal(r->out_parts[1].text, "proc.name");
	assert_string_equal(eval(rs, OPENAT, "sh", "/etc/x"), "R");
	assert_string_equal(eval(rs, OPENAT, "bash", "/etc/x"), "");
	assert_string_equal(eval(rs, OPENAT, "sh", "/tmp/x"), "");
	vigil_ruleset_free(rs);

	/* replace the condition, disable then enable again */
	rs = load_ok("- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat and proc.name = bash\n"
		     "  output: o\n"
		     "  priority: INFO\n"
		     "- rule: R\n"
		     "  condition: evt.type = execve and proc.name = zsh\n"
		     "  enabled: false\n"
		     "  override:\n"
		     "    condition: replace\n"
		     "    enabled: replace\n"
		     "- rule: R\n"
		     "  enabled: true\n",
		     &d);
	assert_int_equal(vigil_ruleset_count(rs), 1);
	assert_string_equal(eval(rs, OPENAT, "bash", "/x"), "");
	assert_string_equal(eval(rs, EXECVE, "zsh", "/x"), "R");
	vigil_ruleset_free(rs);

	/* append: true takes only what can be appended */
	rs = load_ok("- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat\n"
		     "  output: o\n"
		     "  priority: INFO\n"
		     "- rule: R\n"
		     "  condition: and proc.name = bash\n"
		     "  priority: ERROR\n"
		     "  append: true\n",
		     &d);
	assert_int_equal(d.warnings, 1);
	assert_int_equal(find_diag(&d, VIGIL_DIAG_WARNING,
				   "'priority' is ignored with append: true (use override)")
			     ->line,
			 8);
	assert_int_equal(vigil_ruleset_rule(rs, 0)->priority, VIGIL_PRIO_INFORMATIONAL);
	assert_string_equal(eval(rs, OPENAT, "bash", "/x"), "R");
	assert_string_equal(eval(rs, OPENAT, "zsh", "/x"), "");
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);

	/* macros: override with replace */
	rs = load_ok("- macro: m\n"
		     "  condition: proc.name = bash\n"
		     "- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat and m\n"
		     "  output: o\n"
		     "  priority: INFO\n"
		     "- macro: m\n"
		     "  condition: proc.name = zsh\n"
		     "  override:\n"
		     "    condition: replace\n",
		     &d);
	assert_string_equal(eval(rs, OPENAT, "bash", "/x"), "");
	assert_string_equal(eval(rs, OPENAT, "zsh", "/x"), "R");
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);
}

static const char override_base[] = "- rule: R\n"		       /* 1 */
				    "  desc: d\n"		       /* 2 */
				    "  condition: evt.type = openat\n" /* 3 */
				    "  output: o\n"		       /* 4 */
				    "  priority: INFO\n";	       /* 5 */

static void test_override_errors(void **state)
{
	char y[1024];

	(void)state;
	snprintf(y, sizeof(y),
		 "%s- rule: R\n"	   /* 6 */
		 "  priority: ERROR\n"	   /* 7 */
		 "  override:\n"	   /* 8 */
		 "    priority: append\n", /* 9 */
		 override_base);
	expect_error(y, "cannot be overridden with append", 9, 5);
	snprintf(y, sizeof(y),
		 "%s- rule: R\n"
		 "  priority: ERROR\n"
		 "  override:\n"
		 "    condition: append\n",
		 override_base);
	expect_error(y, "override of 'condition' but no 'condition' given", 9, 5);
	snprintf(y, sizeof(y),
		 "%s- rule: R\n"
		 "  priority: ERROR\n"	/* 7 */
		 "  condition: and x\n" /* 8 */
		 "  override:\n"
		 "    priority: replace\n",
		 override_base);
	expect_error(y, "'condition' given without an override entry", 8, 14);
	snprintf(y, sizeof(y),
		 "%s- rule: R\n"
		 "  priority: ERROR\n"
		 "  override:\n"
		 "    priority: merge\n",
		 override_base);
	expect_error(y, "override values are append or replace", 9, 15);
	snprintf(y, sizeof(y),
		 "%s- rule: R\n" /* 6 */
		 "  condition: and x\n"
		 "  append: true\n"
		 "  override:\n"
		 "    condition: append\n",
		 override_base);
	expect_error(y, "cannot be used together", 6, 3);
	expect_error("- rule: Nope\n"
		     "  condition: and proc.name = x\n"
		     "  override:\n"
		     "    condition: append\n",
		     "override of rule 'Nope', which is not defined", 1, 3);
	expect_error("- list: l\n"
		     "  items: [a]\n"
		     "  override:\n"
		     "    items: prepend\n",
		     "override values are append or replace", 4, 12);
}

/* ------------------------------------------------------------------------ */
/* Exceptions                                                                */

static const char exc_yaml[] = "- list: editors\n"
			       "  items: [vi, nano]\n"
			       "- rule: Write etc\n"
			       "  desc: d\n"
			       "  condition: evt.type = openat and fd.name startswith /etc/\n"
			       "  output: o\n"
			       "  priority: ERROR\n"
			       "  exceptions:\n"
			       "    - name: by_proc\n"
			       "      fields: proc.name\n"
			       "      values: [passwd, chpasswd, 'a\"b''c', '\"sh -c\"']\n"
			       "    - name: proc_and_file\n"
			       "      fields: [proc.name, fd.name]\n"
			       "      comps: [=, startswith]\n"
			       "      values:\n"
			       "        - [useradd, /etc/shadow]\n"
			       "        - [\"my app\", /etc/myapp/]\n"
			       "    - name: editors_on_conf\n"
			       "      fields: [proc.name, fd.name]\n"
			       "      comps: [in, endswith]\n"
			       "      values:\n"
			       "        - [[vim, emacs], .conf]\n"
			       "        - [editors, .ini]\n"
			       "    - name: no_values\n"
			       "      fields: [proc.name]\n"
			       "      values: []\n"
			       "    - name: not_given\n"
			       "      fields: [proc.name, fd.name]\n";

static void test_exceptions(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs = load_ok(exc_yaml, &d);
	const struct vigil_rule *r = vigil_ruleset_rule(rs, 0);

	(void)state;
	assert_int_equal(d.n, 0);
	/* the text is the rule's own: exceptions are compiled in */
	assert_string_equal(r->condition_text, "evt.type = openat and fd.name startswith /etc/");
	assert_string_equal(eval(rs, OPENAT, "cat", "/etc/x"), "Write etc");
	/* single field: values are one set */
	assert_string_equal(eval(rs, OPENAT, "passwd", "/etc/x"), "");
	assert_string_equal(eval(rs, OPENAT, "chpasswd", "/etc/x"), "");
	assert_string_equal(eval(rs, OPENAT, "a\"b'c", "/etc/x"), "");
	assert_string_equal(eval(rs, OPENAT, "passwdx", "/etc/x"), "Write etc");
	assert_string_equal(eval(rs, OPENAT, "sh -c", "/etc/x"), "");
	assert_string_equal(eval(rs, OPENAT, "sh", "/etc/x"), "Write etc");
	/* tuples: every field of one tuple must hold */
	assert_string_equal(eval(rs, OPENAT, "useradd", "/etc/shadow"), "");
	assert_string_equal(eval(rs, OPENAT, "useradd", "/etc/passwd"), "Write etc");
	assert_string_equal(eval(rs, OPENAT, "my app", "/etc/myapp/cfg"), "");
	assert_string_equal(eval(rs, OPENAT, "my app", "/etc/other"), "Write etc");
	assert_string_equal(eval(rs, OPENAT, "cat", "/etc/shadow"), "Write etc");
	/* `in` with a list of values, and with a list's name */
	assert_string_equal(eval(rs, OPENAT, "vim", "/etc/a.conf"), "");
	assert_string_equal(eval(rs, OPENAT, "emacs", "/etc/b.conf"), "");
	assert_string_equal(eval(rs, OPENAT, "vim", "/etc/a.ini"), "Write etc");
	assert_string_equal(eval(rs, OPENAT, "vi", "/etc/a.ini"), "");
	assert_string_equal(eval(rs, OPENAT, "nano", "/etc/a.ini"), "");
	assert_string_equal(eval(rs, OPENAT, "vi", "/etc/a.conf"), "Write etc");
	/* exceptions do not widen the event types */
	assert_true(r->types[VIGIL_EVT_OPENAT]);
	assert_false(r->types[VIGIL_EVT_OPEN]);
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);
}

static void test_exceptions_append(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs;
	char y[4096];

	(void)state;
	snprintf(y, sizeof(y),
		 "%s- rule: Write etc\n"
		 "  exceptions:\n"
		 "    - name: by_proc\n"
		 "      values: [cat]\n"
		 "    - name: no_values\n"
		 "      values: [[tee]]\n"
		 "    - name: new_one\n"
		 "      fields: fd.name\n"
		 "      comps: pmatch\n"
		 "      values: [/etc/ssl]\n"
		 "  append: true\n"
		 "- rule: Write etc\n"
		 "  exceptions:\n"
		 "    - name: not_given\n"
		 "      values: [[dd, /etc/fstab]]\n"
		 "  override:\n"
		 "    exceptions: append\n",
		 exc_yaml);
	rs = load_ok(y, &d);
	assert_string_equal(eval(rs, OPENAT, "cat", "/etc/x"), "");
	assert_string_equal(eval(rs, OPENAT, "passwd", "/etc/x"), "");
	assert_string_equal(eval(rs, OPENAT, "tee", "/etc/x"), "");
	assert_string_equal(eval(rs, OPENAT, "ls", "/etc/ssl/certs/a.pem"), "");
	assert_string_equal(eval(rs, OPENAT, "ls", "/etc/sslx"), "Write etc");
	assert_string_equal(eval(rs, OPENAT, "dd", "/etc/fstab"), "");
	assert_string_equal(eval(rs, OPENAT, "dd", "/etc/hosts"), "Write etc");
	vigil_ruleset_free(rs);

	/* override: replace drops the earlier exceptions */
	snprintf(y, sizeof(y),
		 "%s- rule: Write etc\n"
		 "  exceptions:\n"
		 "    - name: only\n"
		 "      fields: [proc.name]\n"
		 "      values: [[cat]]\n"
		 "  override:\n"
		 "    exceptions: replace\n",
		 exc_yaml);
	rs = load_ok(y, &d);
	assert_string_equal(eval(rs, OPENAT, "cat", "/etc/x"), "");
	assert_string_equal(eval(rs, OPENAT, "passwd", "/etc/x"), "Write etc");
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);
}

static void test_exception_errors(void **state)
{
	static const char head[] = "- rule: R\n"		      /* 1 */
				   "  desc: d\n"		      /* 2 */
				   "  condition: evt.type = openat\n" /* 3 */
				   "  output: o\n"		      /* 4 */
				   "  priority: INFO\n"		      /* 5 */
				   "  exceptions:\n";		      /* 6 */
	char y[1024];

	(void)state;
	snprintf(y, sizeof(y),
		 "%s    - name: e\n" /* 7 */
		 "      fields: [proc.name, fd.name]\n"
		 "      values:\n"
		 "        - [a, b]\n"
		 "        - [a]\n", /* 11 */
		 head);
	expect_error(y, "each value must be a list of 2", 11, 11);
	snprintf(y, sizeof(y),
		 "%s    - name: e\n"
		 "      fields: [proc.name, fd.name]\n"
		 "      comps: [=, like]\n" /* 9 */
		 "      values: [[a, b]]\n",
		 head);
	expect_error(y, "unknown comparison 'like'", 9, 14);
	snprintf(y, sizeof(y),
		 "%s    - fields: [proc.name]\n" /* 7 */
		 "      values: [[a]]\n",
		 head);
	expect_error(y, "an exception needs a 'name'", 7, 7);
	snprintf(y, sizeof(y),
		 "%s    - name: e\n" /* 7 */
		 "      fields: [proc.nosuch]\n"
		 "      values: [[a]]\n",
		 head);
	expect_error(y, "exception 'e': unknown field 'proc.nosuch'", 7, 7);
	snprintf(y, sizeof(y),
		 "%s    - name: e\n"
		 "      fields: [proc.name]\n"
		 "      comps: [=, =]\n" /* 9 */
		 "      values: [[a]]\n",
		 head);
	expect_error(y, "'comps' must match 'fields' (1)", 9, 14);
	snprintf(y, sizeof(y),
		 "%s    - name: e\n"
		 "      fields: [proc.pid]\n"
		 "      values: [[notanumber]]\n",
		 head);
	expect_error(y, "exception 'e': 'notanumber' is not a number", 7, 7);
	snprintf(y, sizeof(y),
		 "%s    - name: e\n"
		 "      fields: [proc.name]\n"
		 "      values: [[a]]\n"
		 "- rule: R\n" /* 10 */
		 "  exceptions:\n"
		 "    - name: e\n" /* 12 */
		 "      fields: [fd.name]\n"
		 "      values: [[b]]\n"
		 "  append: true\n",
		 head);
	expect_error(y, "appending to it takes only 'values'", 12, 7);
	snprintf(y, sizeof(y),
		 "%s    - name: e\n"
		 "      values: [[a]]\n",
		 head);
	expect_error(y, "exception 'e' has no 'fields'", 7, 7);
	snprintf(y, sizeof(y),
		 "%s    - name: e\n"
		 "      fields: [proc.name]\n"
		 "    - name: e\n" /* 9 */
		 "      fields: [fd.name]\n",
		 head);
	expect_error(y, "exception 'e' is defined twice", 9, 7);
}

/* ------------------------------------------------------------------------ */
/* Skips, warnings, enabled                                                  */

static void test_skipped_source(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs;
	const struct vigil_diag_entry *e;

	(void)state;
	rs = load_ok("- rule: K8s thing\n"
		     "  desc: d\n"
		     "  condition: ka.verb = create\n"
		     "  output: o\n"
		     "  priority: INFO\n"
		     "  source: k8s_audit\n"
		     "- rule: K8s thing\n"
		     "  condition: and ka.target.resource = pods\n"
		     "  append: true\n"
		     "- rule: Other plugin\n"
		     "  condition: and x.y = 1\n"
		     "  source: aws_cloudtrail\n"
		     "  append: true\n"
		     "- rule: Sys\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat\n"
		     "  output: o\n"
		     "  priority: INFO\n"
		     "  source: syscall\n",
		     &d);
	assert_int_equal(d.skipped, 1);
	assert_int_equal(d.warnings, 0);
	e = find_diag(&d, VIGIL_DIAG_SKIPPED, "source 'k8s_audit' is not supported");
	assert_int_equal(e->line, 1);
	assert_string_equal(e->item, "K8s thing");
	assert_int_equal(vigil_ruleset_count(rs), 1);
	assert_string_equal(vigil_ruleset_rule(rs, 0)->name, "Sys");
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);
}

static void test_unknown_keys_warn(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs;
	const struct vigil_diag_entry *e;

	(void)state;
	rs = load_ok("- foo: bar\n"		       /* 1 */
		     "- required_engine_version: 15\n" /* 2 */
		     "- required_plugin_versions:\n"   /* 3 */
		     "    - name: k8saudit\n"
		     "      version: 0.1.0\n"
		     "- rule: R\n" /* 6 */
		     "  desc: d\n"
		     "  condition: evt.type = openat\n"
		     "  output: o\n"
		     "  priority: INFO\n"
		     "  warn_evttypes: false\n"
		     "  skip-if-unknown-filter: false\n"
		     "  bogus: 1\n", /* 13 */
		     &d);
	assert_int_equal(d.warnings, 2);
	e = find_diag(&d, VIGIL_DIAG_WARNING, "unknown item 'foo' ignored");
	assert_int_equal(e->line, 1);
	assert_int_equal(e->col, 3);
	e = find_diag(&d, VIGIL_DIAG_WARNING, "unknown key 'bogus' in rule ignored");
	assert_int_equal(e->line, 13);
	assert_int_equal(e->col, 3);
	assert_string_equal(e->item, "R");
	assert_int_equal(vigil_ruleset_count(rs), 1);
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);
}

static void test_enabled(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs;
	bool types[VIGIL_EVT_MAX];

	(void)state;
	rs = load_ok("- rule: A\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat\n"
		     "  output: o\n"
		     "  priority: INFO\n"
		     "  enabled: false\n"
		     "- rule: B\n"
		     "  desc: d\n"
		     "  condition: evt.type = execve\n"
		     "  output: o\n"
		     "  priority: INFO\n"
		     "- rule: C\n"
		     "  desc: d\n"
		     "  condition: evt.type = connect\n"
		     "  output: o\n"
		     "  priority: INFO\n"
		     "- rule: C\n"
		     "  enabled: false\n"
		     /* disabled rules are not compiled: errors in them do not count */
		     "- rule: D\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat and nosuch.field = 1\n"
		     "  output: o\n"
		     "  priority: INFO\n"
		     "  enabled: false\n",
		     &d);
	assert_int_equal(d.n, 0);
	assert_int_equal(vigil_ruleset_count(rs), 1);
	assert_string_equal(vigil_ruleset_rule(rs, 0)->name, "B");
	vigil_ruleset_event_types(rs, types);
	for (int t = 0; t < VIGIL_EVT_MAX; t++)
		assert_int_equal(types[t], t == VIGIL_EVT_EXECVE);
	assert_string_equal(eval(rs, OPENAT, "bash", "/x"), "");
	assert_string_equal(eval(rs, VIGIL_EVT_CONNECT, "bash", NULL), "");
	assert_string_equal(eval(rs, EXECVE, "bash", NULL), "B");
	vigil_ruleset_free(rs);

	expect_error("- rule: Ghost\n"
		     "  enabled: false\n",
		     "'enabled' of rule 'Ghost', which is not defined", 1, 3);
	expect_error("- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat\n"
		     "  output: o\n"
		     "  priority: INFO\n"
		     "  enabled: maybe\n",
		     "'enabled' must be true or false", 6, 12);
	vigil_diag_free(&d);
}

static void test_event_type_skip_and_warn(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs;
	const struct vigil_diag_entry *e;

	(void)state;
	rs = load_ok(
	    "- rule: Sendto\n" /* 1 */
	    "  desc: d\n"
	    "  condition: evt.type in (sendto, sendmsg) and proc.name = nc or evt.type = sendto\n"
	    "  output: o\n"
	    "  priority: INFO\n"
	    "- rule: Anything\n" /* 6 */
	    "  desc: d\n"
	    "  condition: proc.name = nc\n"
	    "  output: o\n"
	    "  priority: INFO\n"
	    "- rule: Quiet\n"
	    "  desc: d\n"
	    "  condition: proc.name = nc2\n"
	    "  output: o\n"
	    "  priority: INFO\n"
	    "  warn_evttypes: false\n",
	    &d);
	assert_int_equal(d.skipped, 1);
	e = find_diag(&d, VIGIL_DIAG_SKIPPED,
		      "matches no event type Vigil observes (evt.type in (sendto, sendmsg))");
	assert_int_equal(e->line, 1);
	assert_string_equal(e->item, "Sendto");
	assert_int_equal(d.warnings, 1);
	e = find_diag(&d, VIGIL_DIAG_WARNING, "no evt.type restriction: evaluated on every event");
	assert_int_equal(e->line, 6);
	assert_string_equal(e->item, "Anything");
	assert_int_equal(vigil_ruleset_count(rs), 2);
	assert_string_equal(eval(rs, VIGIL_EVT_KILL, "nc", NULL), "Anything");
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);
}

static void test_skip_if_unknown_filter(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs;
	const struct vigil_diag_entry *e;

	(void)state;
	rs = load_ok("- macro: future\n"
		     "  condition: nosuch.field = 3\n"
		     "- rule: A\n" /* 3 */
		     "  desc: d\n"
		     "  condition: evt.type = openat and nosuch.field = 1\n"
		     "  output: o\n"
		     "  priority: INFO\n"
		     "  skip-if-unknown-filter: true\n"
		     "- rule: B\n" /* 9 */
		     "  desc: d\n"
		     "  condition: evt.type = openat and future\n"
		     "  output: o\n"
		     "  priority: INFO\n"
		     "  skip-if-unknown-filter: true\n"
		     "- rule: C\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat\n"
		     "  output: o\n"
		     "  priority: INFO\n",
		     &d);
	assert_int_equal(d.skipped, 2);
	e = find_diag(&d, VIGIL_DIAG_SKIPPED, "unknown field 'nosuch.field'");
	assert_string_equal(e->item, "A");
	assert_int_equal(e->line, 5);
	assert_int_equal(e->col, 36);
	e = find_diag(&d, VIGIL_DIAG_SKIPPED, "(macro 'future')");
	assert_string_equal(e->item, "B");
	assert_int_equal(vigil_ruleset_count(rs), 1);
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);
}

/* ------------------------------------------------------------------------ */
/* Errors, with their places                                                 */

static void test_error_yaml_syntax(void **state)
{
	(void)state;
	expect_error("- list: a\n"
		     "  items: [x, y\n"
		     "- list: b\n",
		     "YAML: did not find expected ',' or ']'", 3, 7);
	expect_error("- rule: R\n"
		     "  desc: \"unterminated\n",
		     "YAML: found unexpected end of stream", 3, 1);
	expect_error("rule: R\n"
		     "desc: d\n",
		     "a rules file is a sequence of items (- rule: ...), not a mapping", 1, 1);
	expect_error("- list: a\n"
		     "  items: [x]\n"
		     "- just a string\n",
		     "an item must be a mapping, not a scalar", 3, 3);
	expect_error("- list: a\n"
		     "  macro: b\n"
		     "  items: [x]\n",
		     "an item cannot be both 'list' and 'macro'", 2, 3);
}

static void test_error_missing_keys(void **state)
{
	struct vigil_diag d = {0};

	(void)state;
	expect_error("- list: l\n"
		     "  items: [a]\n"
		     "- rule: No condition\n"
		     "  desc: d\n"
		     "  output: o\n"
		     "  priority: INFO\n",
		     "rule has no 'condition'", 3, 3);
	assert_null(load("- rule: Bare\n", &d));
	assert_int_equal(d.errors, 4);
	find_diag(&d, VIGIL_DIAG_ERROR, "rule has no 'desc'");
	find_diag(&d, VIGIL_DIAG_ERROR, "rule has no 'output'");
	find_diag(&d, VIGIL_DIAG_ERROR, "rule has no 'priority'");
	vigil_diag_free(&d);
	/* a broken rule does not cascade: appending to it is no second error */
	assert_null(load("- rule: R\n"
			 "  desc: d\n"
			 "- rule: R\n"
			 "  condition: and proc.name = x\n"
			 "  append: true\n",
			 &d));
	assert_int_equal(d.errors, 3);
	vigil_diag_free(&d);
	expect_error("- macro: m\n", "macro has no 'condition'", 1, 3);
	expect_error("- macro: m\n"
		     "  condition: \"  \"\n",
		     "empty condition", 2, 14);
	expect_error("- rule: R\n"
		     "  desc: d\n"
		     "  condition:\n"
		     "  output: o\n"
		     "  priority: INFO\n",
		     "empty condition", 3, 13);
	expect_error("- list: l\n", "list has no 'items'", 1, 3);
	expect_error("- rule: R\n"
		     "  desc: d\n"
		     "  condition: [evt.type]\n"
		     "  output: o\n"
		     "  priority: INFO\n",
		     "'condition' must be a string, not a sequence", 3, 14);
}

static void test_error_condition_places(void **state)
{
	(void)state;
	/* folded block scalar: the error is on the 2nd line of the condition */
	expect_error("- rule: R\n"
		     "  desc: d\n"
		     "  condition: >\n"
		     "    evt.type = openat and\n"
		     "    proc.name bogusop bash\n"
		     "  output: o\n"
		     "  priority: INFO\n",
		     "unknown operator 'bogusop'", 5, 15);
	/* literal block scalar, with a comment on the indicator line */
	expect_error("- rule: R\n"
		     "  desc: d\n"
		     "  condition: |  # why\n"
		     "      evt.type = openat\n"
		     "      and (proc.name = bash\n"
		     "  output: o\n"
		     "  priority: INFO\n",
		     "unbalanced parenthesis", 5, 11);
	/* plain scalar on one line */
	expect_error("- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat and proc.nmae = bash\n"
		     "  output: o\n"
		     "  priority: INFO\n",
		     "unknown field 'proc.nmae'", 3, 36);
	/* double-quoted scalar */
	expect_error("- macro: m\n"
		     "  condition: \"evt.type = openat and and\"\n",
		     "expected a condition after 'and'", 2, 37);
	/* escapes in a double-quoted scalar, and a line folded in it */
	expect_error("- macro: m\n"
		     "  condition: \"proc.name = \\\"a\\\" and fd.name = \\\"b\\\" and\n"
		     "    proc.name bogus x\"\n",
		     "unknown operator 'bogus'", 3, 15);
	expect_error("- macro: m\n"
		     "  condition: 'proc.name = ''a'' and proc.name bogus x'\n",
		     "unknown operator 'bogus'", 2, 47);
	/* unknown macro */
	expect_error("- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat and not_a_macro\n"
		     "  output: o\n"
		     "  priority: INFO\n",
		     "undefined macro 'not_a_macro'", 3, 36);
	/* the error sits in an appended piece */
	expect_error("- macro: m\n"
		     "  condition: evt.type = openat\n"
		     "- macro: x\n"
		     "  condition: proc.name = a\n"
		     "- macro: m\n"
		     "  condition: >\n"
		     "    and proc.name = b\n"
		     "    or ) x\n"
		     "  append: true\n",
		     "expected a condition after 'or'", 8, 8);
	/* end of text: just after the last character */
	expect_error("- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat and\n"
		     "  output: o\n"
		     "  priority: INFO\n",
		     "expected a condition after 'and'", 3, 35);
}

static void test_error_across_files(void **state)
{
	const char *paths[2];
	struct vigil_diag d = {0};
	const struct vigil_diag_entry *e;

	(void)state;
	paths[0] = write_file("e1.yaml", "- rule: R\n"
					 "  desc: d\n"
					 "  condition: evt.type = openat\n"
					 "  output: o\n"
					 "  priority: INFO\n");
	paths[1] = write_file("e2.yaml", "\n"
					 "- rule: R\n"
					 "  condition: >-\n"
					 "    and\n"
					 "      proc.name in (a, b\n"
					 "  append: true\n"
					 "- rule: Missing\n"
					 "  condition: and x\n"
					 "  append: true\n");
	assert_null(vigil_ruleset_load(paths, 2, &d));
	assert_int_equal(d.errors, 2);
	e = find_diag(&d, VIGIL_DIAG_ERROR, "append of rule 'Missing', which is not defined");
	assert_string_equal(e->file, paths[1]);
	assert_int_equal(e->line, 7);
	e = find_diag(&d, VIGIL_DIAG_ERROR, "unbalanced parenthesis");
	assert_string_equal(e->file, paths[1]);
	assert_int_equal(e->line, 5);
	assert_int_equal(e->col, 20);
	assert_string_equal(e->item, "R");
	vigil_diag_free(&d);
}

static void test_error_output_priority(void **state)
{
	(void)state;
	expect_error("- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat\n"
		     "  output: \"opened by %proc.nmae (%fd.name)\"\n"
		     "  priority: INFO\n",
		     "unknown field 'proc.nmae' in output", 4, 22);
	expect_error("- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat\n"
		     "  output: \"%proc.aname[x] %fd.name\"\n"
		     "  priority: INFO\n",
		     "'proc.aname[x]' in output", 4, 12);
	expect_error("- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat\n"
		     "  output: o\n"
		     "  priority: SEVERE\n",
		     "unknown priority 'SEVERE'", 5, 13);
	expect_error("- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat\n"
		     "  output: o\n"
		     "  priority: INFO\n"
		     "- rule: Q\n"
		     "  condition: and proc.name = x\n"
		     "  append: true\n",
		     "append of rule 'Q', which is not defined", 6, 3);
	expect_error("- list: l\n"
		     "  items: [a]\n"
		     "  append: true\n",
		     "append of list 'l', which is not defined", 1, 3);
	expect_error("- macro: m\n"
		     "  condition: x\n"
		     "  append: true\n",
		     "append of macro 'm', which is not defined", 1, 3);
}

static void test_output_forms(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs;
	const struct vigil_rule *r;

	(void)state;
	rs = load_ok("- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat\n"
		     "  output: >\n"
		     "    100% sure: %proc.name opened %fd.name.\n"
		     "    (uid=%user.uid)\n"
		     "  priority: INFO\n",
		     &d);
	r = vigil_ruleset_rule(rs, 0);
	assert_string_equal(r->output, "100% sure: %proc.name opened %fd.name. (uid=%user.uid)");
	assert_int_equal(r->nout_parts, 7);
	assert_string_equal(r->out_parts[0].text, "100% sure: ");
	assert_string_equal(r->out_parts[1].text, "proc.name");
	assert_string_equal(r->out_parts[2].text, " opened ");
	assert_true(r->out_parts[3].is_field);
	assert_string_equal(r->out_parts[3].text, "fd.name");
	assert_string_equal(r->out_parts[4].text, ". (uid=");
	assert_string_equal(r->out_parts[5].text, "user.uid");
	assert_string_equal(r->out_parts[6].text, ")"); /* trailing newline trimmed */
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);
}

static void test_macro_errors(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs;

	(void)state;
	/* unknown field in a macro no rule uses: fine, as in Falco */
	rs = load_ok("- macro: unused\n"
		     "  condition: nosuch.field = 1\n"
		     "- rule: R\n"
		     "  desc: d\n"
		     "  condition: evt.type = openat\n"
		     "  output: o\n"
		     "  priority: INFO\n",
		     &d);
	assert_int_equal(d.n, 0);
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);
	/* ...reported at the macro once a rule uses it (through another macro) */
	expect_error("- macro: bad\n"
		     "  condition: evt.type = openat and nosuch.field = 1\n"
		     "- macro: outer\n"
		     "  condition: bad\n"
		     "- rule: R\n"
		     "  desc: d\n"
		     "  condition: outer\n"
		     "  output: o\n"
		     "  priority: INFO\n",
		     "unknown field 'nosuch.field' (used by rule 'R')", 2, 36);
	expect_error("- macro: a\n"
		     "  condition: b\n"
		     "- macro: b\n"
		     "  condition: proc.name = x and a\n",
		     "uses itself", 3, 3);
	expect_error("- list: a\n"
		     "  items: [x, b]\n"
		     "- list: b\n"
		     "  items: [a]\n",
		     "list 'b' is part of a cycle (it includes 'a')", 3, 3);
	/* a syntax error in a macro is an error even when unused */
	expect_error("- macro: m\n"
		     "  condition: proc.name =\n",
		     "expected a value after '='", 2, 25);
}

static void test_unreadable(void **state)
{
	const char *paths[1] = {"/nonexistent/vigil/rules.yaml"};
	struct vigil_diag d = {0};
	const struct vigil_diag_entry *e;

	(void)state;
	assert_null(vigil_ruleset_load(paths, 1, &d));
	assert_int_equal(d.errors, 1);
	e = find_diag(&d, VIGIL_DIAG_ERROR, strerror(ENOENT));
	assert_string_equal(e->file, paths[0]);
	assert_int_equal(e->line, 0);
	vigil_diag_free(&d);
}

static void test_diag_print(void **state)
{
	struct vigil_diag d = {0};
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_null(load("- foo: 1\n"
			 "- rule: R\n"
			 "  desc: d\n"
			 "  condition: evt.type = openat\n"
			 "  output: o\n"
			 "  priority: SEVERE\n",
			 &d));
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	vigil_diag_print(&d, f);
	fclose(f);
	assert_string_equal(buf, "test.yaml:1:3: warning: unknown item 'foo' ignored\n"
				 "test.yaml:6:13: error: [R] unknown priority 'SEVERE'\n");
	free(buf);
	vigil_diag_free(&d);
	assert_int_equal(d.n, 0);
	assert_int_equal(d.errors, 0);
}

/* ------------------------------------------------------------------------ */
/* Directories and the index                                                 */

static void test_directory_order(void **state)
{
	const char *paths[2];
	char dir[128], sub[160];
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs;
	const struct vigil_rule *r;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/rules.d", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/zz-subdir.yaml", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	/* 10-b must come after 02-a: it overrides what 02-a defines */
	write_file("rules.d/10-b.yaml", "- rule: R\n"
					"  priority: ERROR\n"
					"  override:\n"
					"    priority: replace\n"
					"- list: names\n"
					"  items: [b]\n"
					"  append: true\n");
	write_file("rules.d/02-a.yml", "- list: names\n"
				       "  items: [a]\n"
				       "- rule: R\n"
				       "  desc: d\n"
				       "  condition: evt.type = openat and proc.name in (names)\n"
				       "  output: o\n"
				       "  priority: INFO\n");
	write_file("rules.d/notes.txt", "this: [is not yaml\n");
	write_file("rules.d/.hidden.yaml", "- not: loaded\n");
	paths[0] = dir;
	paths[1] = write_file("after.yaml", "- list: names\n"
					    "  items: [c]\n"
					    "  append: true\n");
	rs = vigil_ruleset_load(paths, 2, &d);
	if (!rs)
		vigil_diag_print(&d, stderr);
	assert_non_null(rs);
	assert_int_equal(d.n, 0);
	r = vigil_ruleset_rule(rs, 0);
	assert_int_equal(r->priority, VIGIL_PRIO_ERROR);
	assert_true(strstr(r->file, "02-a.yml") != NULL);
	assert_string_equal(eval(rs, OPENAT, "a", "/x"), "R");
	assert_string_equal(eval(rs, OPENAT, "b", "/x"), "R");
	assert_string_equal(eval(rs, OPENAT, "c", "/x"), "R");
	assert_string_equal(eval(rs, OPENAT, "d", "/x"), "");
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);
}

static void test_index(void **state)
{
	struct vigil_diag d = {0};
	struct vigil_ruleset *rs;
	struct vigil_event_hdr *hdr;
	bool types[VIGIL_EVT_MAX];
	static const char rules[] =
	    "- rule: R1\n"
	    "  desc: d\n"
	    "  condition: evt.type = openat\n"
	    "  output: o\n"
	    "  priority: INFO\n"
	    "- rule: R2\n"
	    "  desc: d\n"
	    "  condition: evt.type in (openat, execve) and proc.name != nobody\n"
	    "  output: o\n"
	    "  priority: INFO\n"
	    "- rule: R3\n"
	    "  desc: d\n"
	    "  condition: evt.type = execve and proc.name = bash\n"
	    "  output: o\n"
	    "  priority: INFO\n";
	char y[2048];

	(void)state;
	rs = load_ok(rules, &d);
	assert_int_equal(vigil_ruleset_count(rs), 3);
	vigil_ruleset_event_types(rs, types);
	for (int t = 0; t < VIGIL_EVT_MAX; t++)
		assert_int_equal(types[t], t == VIGIL_EVT_OPENAT || t == VIGIL_EVT_EXECVE);
	assert_string_equal(eval(rs, OPENAT, "bash", "/x"), "R1,R2");
	assert_string_equal(eval(rs, EXECVE, "bash", NULL), "R2,R3");
	assert_string_equal(eval(rs, EXECVE, "zsh", NULL), "R2");
	assert_string_equal(eval(rs, VIGIL_EVT_CONNECT, "bash", NULL), "");
	/* a type out of range matches nothing */
	event(OPENAT, "bash", "/x");
	hdr = (struct vigil_event_hdr *)(void *)E.rec;
	hdr->type = VIGIL_EVT_MAX + 3;
	assert_int_equal(vigil_ruleset_eval(rs, &E.ctx, NULL, NULL), 0);
	/* no callback: still counted */
	event(OPENAT, "bash", "/x");
	assert_int_equal(vigil_ruleset_eval(rs, &E.ctx, NULL, NULL), 2);
	vigil_ruleset_free(rs);

	/* an unrestricted rule is indexed under every type, in file order */
	snprintf(y, sizeof(y),
		 "- rule: R0\n"
		 "  desc: d\n"
		 "  condition: proc.name = bash\n"
		 "  output: o\n"
		 "  priority: INFO\n"
		 "%s",
		 rules);
	rs = load_ok(y, &d);
	vigil_ruleset_event_types(rs, types);
	for (int t = 1; t < VIGIL_EVT_MAX; t++)
		assert_true(types[t]);
	assert_false(types[VIGIL_EVT_NONE]);
	assert_string_equal(eval(rs, OPENAT, "bash", "/x"), "R0,R1,R2");
	assert_string_equal(eval(rs, EXECVE, "bash", NULL), "R0,R2,R3");
	assert_string_equal(eval(rs, VIGIL_EVT_CONNECT, "bash", NULL), "R0");
	vigil_ruleset_free(rs);
	vigil_diag_free(&d);
	assert_int_equal(vigil_ruleset_count(NULL), 0);
	assert_null(vigil_ruleset_rule(NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_priorities),
	    cmocka_unit_test(test_basic),
	    cmocka_unit_test(test_empty_files),
	    cmocka_unit_test(test_redefine_replaces),
	    cmocka_unit_test(test_falco_style),
	    cmocka_unit_test(test_documents),
	    cmocka_unit_test(test_append_across_files),
	    cmocka_unit_test(test_override),
	    cmocka_unit_test(test_override_errors),
	    cmocka_unit_test(test_exceptions),
	    cmocka_unit_test(test_exceptions_append),
	    cmocka_unit_test(test_exception_errors),
	    cmocka_unit_test(test_skipped_source),
	    cmocka_unit_test(test_unknown_keys_warn),
	    cmocka_unit_test(test_enabled),
	    cmocka_unit_test(test_event_type_skip_and_warn),
	    cmocka_unit_test(test_skip_if_unknown_filter),
	    cmocka_unit_test(test_error_yaml_syntax),
	    cmocka_unit_test(test_error_missing_keys),
	    cmocka_unit_test(test_error_condition_places),
	    cmocka_unit_test(test_error_across_files),
	    cmocka_unit_test(test_error_output_priority),
	    cmocka_unit_test(test_output_forms),
	    cmocka_unit_test(test_macro_errors),
	    cmocka_unit_test(test_unreadable),
	    cmocka_unit_test(test_diag_print),
	    cmocka_unit_test(test_directory_order),
	    cmocka_unit_test(test_index),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
