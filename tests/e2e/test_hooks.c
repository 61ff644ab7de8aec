/* test_hooks.c - the two syscall-hook variants: tracepoints (any kernel) and
 * fexit on __x64_sys_* (kernels that allow BPF trampolines). `auto` must pick
 * fexit in the VM and tracepoints on the host; each variant that the kernel
 * offers must deliver the same events; a forced variant the kernel refuses
 * must fail with a clear message.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "tests.h"

static bool on_vm(void)
{
	const char *e = getenv("VIGIL_KERNEL_EXPECT");

	return e && strcmp(e, "vm") == 0;
}

/* The ready line says which variant is in use. */
static bool hooks_in_use(struct agent *a, const char *want, char *seen, size_t seenlen)
{
	char err[8192], *p;

	agent_stderr(a, err, sizeof(err));
	p = strstr(err, "syscall hooks: ");
	snprintf(seen, seenlen, "%.20s", p ? p + strlen("syscall hooks: ") : "(none)");
	seen[strcspn(seen, ")\n")] = '\0';
	return strcmp(seen, want) == 0;
}

/* A refused TCP connect to a loopback port nobody listens on. */
static int refused_connect(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(1)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int rc;

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return rc;
}

/* Runs an agent with `--syscall-hooks mode`, checks the variant reported and
 * that openat and connect events arrive with the right fields. */
static void check_variant(struct tctx *t, const char *mode, const char *want)
{
	const char *args[] = {"--filter", "openat,connect", "--syscall-hooks", mode, NULL};
	char path[1024], seen[32];
	struct stats s;
	json_t *ev;
	int fd;

	t->agent = start_own(t, args);
	if (!t->agent)
		return;
	t->from = 0;
	if (!hooks_in_use(t->agent, want, seen, sizeof(seen)))
		tfail(t, "syscall hooks: expected %s, got %s", want, seen);
	pjoin(path, sizeof(path), t->tmpdir, "variant-marker");
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	close(fd);
	ev = WAIT_EV(t, .type = "openat", .pid = getpid(), .skey = "fd.nameraw", .sval = path);
	if (ev) {
		expect_str(t, ev, "fd.name", path);
		expect_int(t, ev, "fd.num", fd);
		expect_flags(t, ev, "evt.arg.flags", "O_WRONLY|O_CREAT|O_CLOEXEC", true);
		expect_str(t, ev, "evt.arg.mode", "0600");
	}
	json_decref(ev);
	refused_connect();
	ev = WAIT_EV(t, .type = "connect", .pid = getpid(), .ikey = "fd.rport", .ival = 1);
	if (ev) {
		expect_str(t, ev, "evt.res", "ECONNREFUSED");
		expect_str(t, ev, "fd.rip", "127.0.0.1");
	}
	json_decref(ev);
	tnote(t, "hooks=%s", seen);
	stop_and_check(t, t->agent, SIGINT, &s);
	agent_free(t->agent);
	t->agent = NULL;
}

void test_syscall_hooks_auto(struct tctx *t)
{
	check_variant(t, "auto", on_vm() ? "fexit" : "tracepoint");
}

void test_syscall_hooks_tracepoint(struct tctx *t)
{
	check_variant(t, "tracepoint", "tracepoint");
}

/* In the VM the fexit variant works when forced; on the host it must be
 * refused up front with a message naming the cause. */
void test_syscall_hooks_fexit(struct tctx *t)
{
	const char *argv[] = {vigil_path(),	"run", "--events", "--syscall-hooks", "fexit",
			      "--no-inventory", NULL};
	struct capture *r;

	if (on_vm()) {
		check_variant(t, "fexit", "fexit");
		return;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		tfail(t, "out of memory");
		return;
	}
	r->argv = argv;
	r->stop_on_ready = true;
	r->timeout_ms = 60000;
	run_capture(r);
	if (r->got_ready)
		tfail(t, "--syscall-hooks fexit started on a kernel that refuses trampolines");
	else if (r->status == -1 || !WIFEXITED(r->status) || WEXITSTATUS(r->status) != 1)
		tfail(t, "expected exit status 1, got wait status %d", r->status);
	else if (!strstr(r->err, "fexit"))
		tfail(t, "stderr does not explain the refusal: %.300s", r->err);
	free(r);
}
