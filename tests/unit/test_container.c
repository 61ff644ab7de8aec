/* test_container.c - unit tests for container attribution (src/container.c):
 * container ids from every supported cgroup layout, and cgroup id -> path
 * resolution against real directories made under the host's cgroup2 mount.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <cmocka.h>

#include "container.h"

#define ID1	 "3f4a9c2e8b7d6a5f1e0c9b8a7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e"
#define ID2	 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define POD_UID	 "8f2c6d1e-3b4a-4c5d-9e8f-7a6b5c4d3e2f"
#define POD_UID_ "8f2c6d1e_3b4a_4c5d_9e8f_7a6b5c4d3e2f"

static void expect_container(const char *path, const char *id, const char *runtime)
{
	struct vigil_container_ref ref;

	memset(&ref, 'x', sizeof(ref));
	if (!vigil_container_from_cgroup_path(path, &ref))
		fail_msg("no container found in \"%s\"", path);
	assert_string_equal(ref.id, id);
	assert_non_null(ref.runtime);
	assert_string_equal(ref.runtime, runtime);
}

static void expect_none(const char *path)
{
	struct vigil_container_ref ref;

	memset(&ref, 'x', sizeof(ref));
	if (vigil_container_from_cgroup_path(path, &ref))
		fail_msg("unexpected container %s in \"%s\"", ref.id, path ? path : "(null)");
	assert_string_equal(ref.id, "");
	assert_null(ref.runtime);
}

static void test_docker(void **state)
{
	(void)state;
	expect_container("/docker/" ID1, ID1, "docker");
	expect_container("/system.slice/docker-" ID1 ".scope", ID1, "docker");
	/* docker-in-docker: the innermost container wins */
	expect_container("/docker/" ID1 "/docker/" ID2, ID2, "docker");
	/* a sub-cgroup made inside the container */
	expect_container("/docker/" ID1 "/app/worker", ID1, "docker");
}

static void test_containerd(void **state)
{
	(void)state;
	expect_container("/kubepods/besteffort/pod" POD_UID "/" ID1, ID1, "containerd");
	expect_container("/kubepods/burstable/pod" POD_UID "/" ID2, ID2, "containerd");
	expect_container("/kubepods/pod" POD_UID "/" ID1, ID1, "containerd");
	expect_container(
	    "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_UID_
	    ".slice/cri-containerd-" ID1 ".scope",
	    ID1, "containerd");
	/* kind: a k8s node that is itself a docker container */
	expect_container("/docker/" ID1 "/kubepods/besteffort/pod" POD_UID "/" ID2, ID2,
			 "containerd");
	/* the pod cgroup alone is no container */
	expect_none("/kubepods/besteffort/pod" POD_UID);
	expect_none("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_UID_
		    ".slice");
}

static void test_crio(void **state)
{
	(void)state;
	expect_container("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_UID_
			 ".slice/crio-" ID1 ".scope",
			 ID1, "cri-o");
	expect_container("/kubepods/besteffort/pod" POD_UID "/crio-" ID2, ID2, "cri-o");
	expect_none("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_UID_
		    ".slice/crio-conmon-" ID1 ".scope");
	expect_none("/kubepods/besteffort/pod" POD_UID "/crio-conmon-" ID1);
}

static void test_podman(void **state)
{
	(void)state;
	expect_container("/machine.slice/libpod-" ID1 ".scope", ID1, "podman");
	expect_container("/machine.slice/libpod-" ID1 ".scope/container", ID1, "podman");
	expect_container("/libpod_parent/libpod-" ID2, ID2, "podman");
	/* rootless */
	expect_container("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID1
			 ".scope/container",
			 ID1, "podman");
	expect_none("/machine.slice/libpod-conmon-" ID1 ".scope");
	expect_none("/libpod_parent/libpod-conmon-" ID1);
	/* a conmon scope after a container: the last id-bearing component decides */
	expect_none("/machine.slice/libpod-" ID2 ".scope/libpod-conmon-" ID1 ".scope");
}

static void test_other_layouts(void **state)
{
	(void)state;
	/* GitHub Actions and ECS both run docker: reported as "docker". */
	expect_container("/actions_job/" ID1, ID1, "docker");
	expect_container("/ecs/5a1b2c3d4e5f40718293a4b5c6d7e8f9/" ID2, ID2, "docker");
	expect_container("/ecs/" POD_UID "/" ID1, ID1, "docker");
}

static void test_negatives(void **state)
{
	(void)state;
	expect_none("/user.slice/user-0.slice/session-1.scope");
	expect_none("/");
	expect_none("");
	expect_none(NULL);
	expect_none("/init.scope");
	expect_none("/system.slice/docker.service");
	expect_none("/system.slice/containerd.service");
	expect_none("/docker");
	expect_none("/docker/");
	expect_none("/docker/3f4a9c2e8b7d6a5f1e0c9b8a7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8");
	expect_none("/docker/" ID1 "0");
	expect_none("/docker/" ID1 "x");
	expect_none("/docker/3F4A9C2E8B7D6A5F1E0C9B8A7D6E5F4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E");
	expect_none("/docker/3f4a9c2e8b7d6a5f1e0c9b8a7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8g");
	expect_none("/system.slice/docker-" ID1 ".service");
	expect_none("/system.slice/docker-" ID1 ".scopex");
	expect_none("/system.slice/docker" ID1 ".scope");
	expect_none("/system.slice/xdocker-" ID1 ".scope");
	expect_none("/system.slice/docker-" ID1);
	expect_none("/machine.slice/libpod-" ID1 ".scope.scope");
	/* a container id not on a component boundary */
	expect_none("/foo" ID1);
}

static void test_proc_cgroup_lines(void **state)
{
	struct vigil_container_ref ref;

	(void)state;
	expect_container("0::/docker/" ID1, ID1, "docker");
	expect_container("0::/docker/" ID1 "\n", ID1, "docker");
	expect_container("0::/system.slice/docker-" ID2 ".scope\n", ID2, "docker");
	expect_container("12:memory:/docker/" ID1, ID1, "docker");
	expect_container("1:name=systemd:/kubepods.slice/kubepods-besteffort.slice/"
			 "kubepods-besteffort-pod" POD_UID_ ".slice/cri-containerd-" ID1 ".scope",
			 ID1, "containerd");
	expect_container("3:cpu,cpuacct:/kubepods/besteffort/pod" POD_UID "/" ID2 "\n", ID2,
			 "containerd");
	expect_none("0::/");
	expect_none("0::/init.scope\n");
	expect_none("0::/user.slice/user-0.slice/session-1.scope");
	/* a NULL ref is allowed */
	assert_true(vigil_container_from_cgroup_path("0::/docker/" ID1, NULL));
	assert_false(vigil_container_from_cgroup_path("0::/", NULL));
	/* a ref left over from a match is cleared by a miss */
	assert_true(vigil_container_from_cgroup_path("/docker/" ID1, &ref));
	assert_false(vigil_container_from_cgroup_path("/init.scope", &ref));
	assert_string_equal(ref.id, "");
	assert_null(ref.runtime);
}

/* ---- resolution against the real cgroup2 mount ---- */

/* Independent of the module: the first cgroup2 mount point in mountinfo. */
static bool expected_mount(char *out, size_t outsz)
{
	char line[4096], point[PATH_MAX];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strstr(line, " - cgroup2 ") &&
		    sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1) {
			snprintf(out, outsz, "%s", point);
			found = true;
		}
	}
	fclose(f);
	return found;
}

static void test_mount_detection(void **state)
{
	char want[PATH_MAX];
	struct vigil_cgroups *c;
	const struct vigil_cgroup_info *info;

	(void)state;
	c = vigil_cgroups_new(NULL);
	assert_non_null(c);
	if (expected_mount(want, sizeof(want)))
		assert_string_equal(vigil_cgroups_mount(c), want);
	else
		assert_string_equal(vigil_cgroups_mount(c), "");
	info = vigil_cgroups_lookup(c, 0);
	assert_non_null(info);
	assert_false(info->resolved);
	assert_int_equal(info->id, 0);
	assert_string_equal(info->path, "");
	assert_string_equal(info->container.id, "");
	assert_null(info->container.runtime);
	vigil_cgroups_free(c);
	vigil_cgroups_free(NULL);

	errno = 0;
	assert_null(vigil_cgroups_new("/nonexistent/vigil-cgroup"));
	assert_int_equal(errno, ENOENT);
}

struct fixture {
	struct vigil_cgroups *c;
	char mount[1024];
	char base[1280]; /* <mount>/vigil-test-<pid> */
	char rel_base[64];
};

static int setup_cgroups(void **state)
{
	static struct fixture fx;

	memset(&fx, 0, sizeof(fx));
	fx.c = vigil_cgroups_new(NULL);
	if (!fx.c)
		return -1;
	snprintf(fx.mount, sizeof(fx.mount), "%s", vigil_cgroups_mount(fx.c));
	snprintf(fx.rel_base, sizeof(fx.rel_base), "/vigil-test-%d", (int)getpid());
	snprintf(fx.base, sizeof(fx.base), "%s%s", fx.mount, fx.rel_base);
	*state = &fx;
	return 0;
}

/* Removes whatever a failed test may have left under base. */
static int teardown_cgroups(void **state)
{
	static const char *const leftovers[] = {"docker/" ID1, "docker", "a", "b"};
	struct fixture *fx = *state;
	char path[2048];
	size_t i;

	for (i = 0; fx->mount[0] && i < sizeof(leftovers) / sizeof(leftovers[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", fx->base, leftovers[i]);
		rmdir(path);
	}
	rmdir(fx->base);
	vigil_cgroups_free(fx->c);
	return 0;
}

static bool have_mount(const struct fixture *fx)
{
	if (fx->mount[0])
		return true;
	print_message("SKIP: no cgroup2 mount found in /proc/self/mountinfo\n");
	return false;
}

static bool make_dir(const char *path)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return true;
	print_message("SKIP: mkdir %s: %s\n", path, strerror(errno));
	return false;
}

static uint64_t ino_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_ino;
}

static void test_lookup_root(void **state)
{
	struct fixture *fx = *state;
	const struct vigil_cgroup_info *info;
	uint64_t id;

	if (!have_mount(fx))
		return;
	id = ino_of(fx->mount);
	info = vigil_cgroups_lookup(fx->c, id);
	assert_non_null(info);
	assert_true(info->resolved);
	assert_int_equal(info->id, id);
	assert_string_equal(info->path, "/");
	assert_string_equal(info->container.id, "");
	assert_null(info->container.runtime);
	/* cached: the same entry comes back */
	assert_ptr_equal(vigil_cgroups_lookup(fx->c, id), info);
}

struct test_tree {
	char docker[1400];
	char leaf[1536];
	char rel_leaf[256];
};

static bool make_tree(const struct fixture *fx, struct test_tree *tr)
{
	snprintf(tr->docker, sizeof(tr->docker), "%s/docker", fx->base);
	snprintf(tr->leaf, sizeof(tr->leaf), "%s/" ID1, tr->docker);
	snprintf(tr->rel_leaf, sizeof(tr->rel_leaf), "%s/docker/" ID1, fx->rel_base);
	if (!make_dir(fx->base))
		return false;
	if (!make_dir(tr->docker))
		return false;
	return make_dir(tr->leaf);
}

static void remove_tree(const struct test_tree *tr)
{
	rmdir(tr->leaf);
	rmdir(tr->docker);
}

static void check_tree(struct vigil_cgroups *c, const struct fixture *fx,
		       const struct test_tree *tr)
{
	const struct vigil_cgroup_info *info;
	uint64_t id = ino_of(tr->leaf);

	info = vigil_cgroups_lookup(c, id);
	assert_true(info->resolved);
	assert_int_equal(info->id, id);
	assert_string_equal(info->path, tr->rel_leaf);
	assert_string_equal(info->container.id, ID1);
	assert_non_null(info->container.runtime);
	assert_string_equal(info->container.runtime, "docker");

	info = vigil_cgroups_lookup(c, ino_of(fx->base));
	assert_true(info->resolved);
	assert_string_equal(info->path, fx->rel_base);
	assert_string_equal(info->container.id, "");
	assert_null(info->container.runtime);
}

static void test_lookup_container_dir(void **state)
{
	struct fixture *fx = *state;
	const struct vigil_cgroup_info *info;
	struct test_tree tr;
	uint64_t id;

	if (!have_mount(fx))
		return;
	if (!make_tree(fx, &tr)) {
		remove_tree(&tr);
		return;
	}
	check_tree(fx->c, fx, &tr);
	id = ino_of(tr.leaf);
	assert_ptr_equal(vigil_cgroups_lookup(fx->c, id), vigil_cgroups_lookup(fx->c, id));

	/* A positive entry stays cached after the cgroup goes away (ids are
	 * never reused), and a fresh cache no longer resolves it. */
	remove_tree(&tr);
	info = vigil_cgroups_lookup(fx->c, id);
	assert_true(info->resolved);
	{
		struct vigil_cgroups *fresh = vigil_cgroups_new(fx->mount);

		assert_non_null(fresh);
		info = vigil_cgroups_lookup(fresh, id);
		assert_false(info->resolved);
		assert_string_equal(info->path, "");
		assert_string_equal(info->container.id, "");
		vigil_cgroups_free(fresh);
	}
}

static void test_lookup_unknown_ids(void **state)
{
	struct fixture *fx = *state;
	const struct vigil_cgroup_info *info;
	char file[PATH_MAX];
	uint64_t id;

	if (!have_mount(fx))
		return;
	/* Far beyond any allocated id. */
	info = vigil_cgroups_lookup(fx->c, 1ull << 62);
	assert_false(info->resolved);
	assert_int_equal(info->id, 1ull << 62);
	assert_string_equal(info->path, "");
	assert_string_equal(info->container.id, "");
	assert_ptr_equal(vigil_cgroups_lookup(fx->c, 1ull << 62), info);

	/* The inode of a file in the hierarchy is no cgroup. */
	snprintf(file, sizeof(file), "%s/cgroup.procs", fx->mount);
	id = ino_of(file);
	info = vigil_cgroups_lookup(fx->c, id);
	assert_false(info->resolved);
	assert_string_equal(info->path, "");
}

/* Far more ids than the cache holds: old entries are evicted, and what is
 * looked up afterwards is still right. */
static void test_lookup_eviction(void **state)
{
	struct fixture *fx = *state;
	const struct vigil_cgroup_info *info;
	uint64_t root, i;

	if (!have_mount(fx))
		return;
	root = ino_of(fx->mount);
	for (i = 0; i < 20000; i++) {
		info = vigil_cgroups_lookup(fx->c, (1ull << 40) + i * 7919);
		assert_false(info->resolved);
		assert_int_equal(info->id, (1ull << 40) + i * 7919);
	}
	info = vigil_cgroups_lookup(fx->c, root);
	assert_true(info->resolved);
	assert_int_equal(info->id, root);
	assert_string_equal(info->path, "/");
	for (i = 0; i < 20000; i += 97)
		assert_int_equal(vigil_cgroups_lookup(fx->c, (1ull << 40) + i * 7919)->id,
				 (1ull << 40) + i * 7919);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A cgroup created after its id was looked up: the negative entry holds for
 * a second, then the id is retried. Kernfs hands out ids cyclically, so the
 * next cgroup's id can be predicted from the stride between two mkdirs;
 * skipped if something else on the host made a cgroup in between. */
static void test_negative_retry(void **state)
{
	struct fixture *fx = *state;
	const struct vigil_cgroup_info *info;
	char a[PATH_MAX], b[PATH_MAX], want[PATH_MAX];
	uint64_t ia, ib, predicted, t0;

	if (!have_mount(fx) || !make_dir(fx->base))
		return;
	snprintf(a, sizeof(a), "%s/a", fx->base);
	snprintf(b, sizeof(b), "%s/b", fx->base);
	if (!make_dir(a))
		return;
	ia = ino_of(a);
	assert_int_equal(rmdir(a), 0);
	assert_true(make_dir(a));
	ib = ino_of(a);
	assert_int_equal(rmdir(a), 0);
	predicted = ib + (ib - ia);

	t0 = mono_ns();
	info = vigil_cgroups_lookup(fx->c, predicted);
	assert_false(info->resolved);
	assert_true(make_dir(b));
	if (ino_of(b) != predicted) {
		print_message("SKIP: cgroup id not predictable (got %llu, predicted %llu)\n",
			      (unsigned long long)ino_of(b), (unsigned long long)predicted);
		rmdir(b);
		return;
	}
	info = vigil_cgroups_lookup(fx->c, predicted);
	if (mono_ns() - t0 < 900000000ull)
		assert_false(info->resolved); /* still the cached negative */
	usleep(1100000);
	info = vigil_cgroups_lookup(fx->c, predicted);
	snprintf(want, sizeof(want), "%s/b", fx->rel_base);
	assert_true(info->resolved);
	assert_string_equal(info->path, want);
	assert_int_equal(rmdir(b), 0);
}

static int set_dac_read_search(bool on)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	if (on)
		data[0].effective |= 1u << CAP_DAC_READ_SEARCH;
	else
		data[0].effective &= ~(1u << CAP_DAC_READ_SEARCH);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

static bool handles_work(const char *mount)
{
	union {
		struct file_handle fh;
		unsigned char raw[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	uint64_t id = ino_of(mount);
	int mfd = open(mount, O_RDONLY | O_DIRECTORY), fd;

	assert_true(mfd >= 0);
	h.fh.handle_bytes = sizeof(id);
	h.fh.handle_type = 0xfe; /* FILEID_KERNFS */
	memcpy(h.raw + offsetof(struct file_handle, f_handle), &id, sizeof(id));
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_DIRECTORY);
	close(mfd);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Without CAP_DAC_READ_SEARCH open_by_handle_at fails with EPERM and the
 * module walks the tree instead. */
static void test_lookup_by_walk(void **state)
{
	struct fixture *fx = *state;
	const struct vigil_cgroup_info *info;
	struct vigil_cgroups *c;
	struct test_tree tr;

	if (!have_mount(fx))
		return;
	if (!make_tree(fx, &tr)) {
		remove_tree(&tr);
		return;
	}
	if (set_dac_read_search(false)) {
		print_message("SKIP: cannot drop CAP_DAC_READ_SEARCH\n");
		remove_tree(&tr);
		return;
	}
	if (handles_work(fx->mount))
		print_message("NOTE: open_by_handle_at works without CAP_DAC_READ_SEARCH "
			      "here, the tree walk is not exercised\n");
	c = vigil_cgroups_new(fx->mount);
	assert_non_null(c);
	check_tree(c, fx, &tr);
	info = vigil_cgroups_lookup(c, ino_of(fx->mount));
	assert_true(info->resolved);
	assert_string_equal(info->path, "/");
	info = vigil_cgroups_lookup(c, 1ull << 62);
	assert_false(info->resolved);
	vigil_cgroups_free(c);
	assert_int_equal(set_dac_read_search(true), 0);
	remove_tree(&tr);
}

int main(void)
{
	const struct CMUnitTest parse_tests[] = {
	    cmocka_unit_test(test_docker),
	    cmocka_unit_test(test_containerd),
	    cmocka_unit_test(test_crio),
	    cmocka_unit_test(test_podman),
	    cmocka_unit_test(test_other_layouts),
	    cmocka_unit_test(test_negatives),
	    cmocka_unit_test(test_proc_cgroup_lines),
	    cmocka_unit_test(test_mount_detection),
	};
	const struct CMUnitTest lookup_tests[] = {
	    cmocka_unit_test(test_lookup_root),	       cmocka_unit_test(test_lookup_container_dir),
	    cmocka_unit_test(test_lookup_unknown_ids), cmocka_unit_test(test_lookup_eviction),
	    cmocka_unit_test(test_negative_retry),     cmocka_unit_test(test_lookup_by_walk),
	};
	int failed;

	failed = cmocka_run_group_tests_name("container parsing", parse_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("cgroup lookup", lookup_tests, setup_cgroups,
					      teardown_cgroups);
	return failed;
}
