/* policy_watch.c - inotify on the policy files' directories. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include "policy_watch.h"

#define MAX_WATCHED 64

struct watched {
	int wd;
	char name[NAME_MAX + 1]; /* the file's name; "" for a whole directory */
};

struct vigil_policy_watch {
	int fd;
	struct watched w[MAX_WATCHED];
	size_t n;
};

static void add_watch(struct vigil_policy_watch *pw, const char *path)
{
	char dir[PATH_MAX];
	const char *slash, *name = "";
	struct stat st;
	int wd;

	if (pw->n == MAX_WATCHED)
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		slash = strrchr(path, '/');
		name = slash ? slash + 1 : path;
		if (slash)
			dir[slash - path ? slash - path : 1] = '\0';
		else
			snprintf(dir, sizeof(dir), ".");
	}
	wd = inotify_add_watch(pw->fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_CREATE);
	if (wd < 0)
		return;
	pw->w[pw->n].wd = wd;
	snprintf(pw->w[pw->n].name, sizeof(pw->w[pw->n].name), "%s", name);
	pw->n++;
}

struct vigil_policy_watch *vigil_policy_watch_new(const char *const *paths, size_t n)
{
	struct vigil_policy_watch *pw = calloc(1, sizeof(*pw));

	if (!pw)
		return NULL;
	pw->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (pw->fd < 0) {
		free(pw);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		add_watch(pw, paths[i]);
	return pw;
}

static bool concerns_us(const struct vigil_policy_watch *pw, const struct inotify_event *ev)
{
	for (size_t i = 0; i < pw->n; i++) {
		if (pw->w[i].wd != ev->wd)
			continue;
		if (!pw->w[i].name[0])
			return ev->len && ev->name[0] != '.';
		if (ev->len && strcmp(ev->name, pw->w[i].name) == 0)
			return true;
	}
	return false;
}

bool vigil_policy_watch_changed(struct vigil_policy_watch *pw)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t len;

	if (!pw)
		return false;
	while ((len = read(pw->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			/* a new file counts once its write completes (IN_CLOSE_WRITE) */
			bool file_created = (ev->mask & IN_CREATE) && !(ev->mask & IN_ISDIR);

			if (!file_created && concerns_us(pw, ev))
				changed = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	return changed;
}

void vigil_policy_watch_free(struct vigil_policy_watch *pw)
{
	if (!pw)
		return;
	close(pw->fd);
	free(pw);
}
