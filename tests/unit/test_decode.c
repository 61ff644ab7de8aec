/* test_decode.c - unit tests for src/decode.c: ring-buffer records built by
 * hand (struct vigil_event_hdr, then struct vigil_field + payload padded to
 * 8 bytes), copied into heap blocks of exactly their size so that ASan flags
 * any read past the record; malformed records must give -EINVAL.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "decode.h"
#include "vigil_abi.h"

/* A literal with explicit NULs, without the compiler's trailing one. */
#define LIT(s) s, sizeof(s) - 1

#define HDR_SIZE sizeof(struct vigil_event_hdr)

struct rec {
	uint64_t words[VIGIL_EVENT_MAX / 8]; /* 8-aligned, like the ring buffer */
	size_t len;
};

struct fixture {
	struct rec rec;
	struct vigil_decode_buf buf;
	struct vigil_event ev;
	void *copy; /* exact-size heap copy handed to the decoder */
};

static struct vigil_event_hdr *rec_hdr(struct rec *r)
{
	return (struct vigil_event_hdr *)r->words;
}

static void rec_init(struct rec *r, uint32_t type)
{
	memset(r, 0, sizeof(*r));
	r->len = HDR_SIZE;
	rec_hdr(r)->type = type;
	rec_hdr(r)->size = (uint32_t)r->len;
}

/* Appends one field; hdr.size follows the record length. */
static void rec_field(struct rec *r, uint8_t id, uint8_t kind, uint8_t flags, const void *p,
		      uint32_t len)
{
	struct vigil_field f = {.id = id, .kind = kind, .flags = flags, .len = len};
	char *b = (char *)r->words;

	assert_true(r->len + sizeof(f) + len + 8 <= sizeof(r->words));
	memcpy(b + r->len, &f, sizeof(f));
	if (len)
		memcpy(b + r->len + sizeof(f), p, len);
	r->len += sizeof(f) + ((len + 7u) & ~7u);
	rec_hdr(r)->size = (uint32_t)r->len;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	free(fx->copy);
	free(fx);
	return 0;
}

/* Decodes the first size bytes of the record from an exact-size copy. */
static int decode_n(struct fixture *fx, size_t size)
{
	free(fx->copy);
	fx->copy = malloc(size ? size : 1);
	assert_non_null(fx->copy);
	memcpy(fx->copy, fx->rec.words, size);
	return vigil_event_decode(fx->copy, size, &fx->ev, &fx->buf);
}

static int decode(struct fixture *fx)
{
	return decode_n(fx, fx->rec.len);
}

static void assert_event_empty(const struct vigil_event *ev)
{
	assert_null(ev->name);
	assert_null(ev->nameraw);
	assert_null(ev->target);
	assert_null(ev->targetraw);
	assert_null(ev->exe);
	assert_null(ev->cwd);
	assert_null(ev->argv);
	assert_int_equal(ev->argv_len, 0);
	assert_null(ev->data);
	assert_null(ev->fstype);
	assert_null(ev->sockaddr);
	assert_int_equal(ev->sockaddr_len, 0);
	assert_null(ev->sock);
	assert_null(ev->execinfo);
	assert_false(ev->truncated);
}

static void test_abi_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct vigil_field), 8);
	/* fields start right after the header and must stay 8-aligned */
	assert_int_equal(HDR_SIZE % 8, 0);
	assert_int_equal(offsetof(struct vigil_event_hdr, args) + 8 * VIGIL_MAX_ARGS, HDR_SIZE);
	assert_int_equal(sizeof(struct vigil_sockinfo), 48);
	assert_int_equal(offsetof(struct vigil_sockinfo, laddr), 16);
}

static void test_header_only(void **state)
{
	struct fixture *fx = *state;

	rec_init(&fx->rec, VIGIL_EVT_OPENAT);
	rec_hdr(&fx->rec)->pid = 42;
	assert_int_equal(decode(fx), 0);
	assert_ptr_equal(fx->ev.hdr, fx->copy);
	assert_int_equal(fx->ev.hdr->pid, 42);
	assert_int_equal(fx->ev.hdr->type, VIGIL_EVT_OPENAT);
	assert_event_empty(&fx->ev);
}

static void test_too_small(void **state)
{
	struct fixture *fx = *state;

	memset(&fx->ev, 0xa5, sizeof(fx->ev));
	assert_int_equal(vigil_event_decode(NULL, 0, &fx->ev, &fx->buf), -EINVAL);
	assert_null(fx->ev.hdr);
	assert_event_empty(&fx->ev);
	rec_init(&fx->rec, VIGIL_EVT_OPENAT);
	for (size_t n = 1; n < HDR_SIZE; n++)
		assert_int_equal(decode_n(fx, n), -EINVAL);
}

static void test_bad_hdr_size(void **state)
{
	struct fixture *fx = *state;

	rec_init(&fx->rec, VIGIL_EVT_OPENAT);
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, LIT("/etc/passwd\0"));
	/* claims more than was read */
	rec_hdr(&fx->rec)->size = (uint32_t)fx->rec.len + 1;
	assert_int_equal(decode(fx), -EINVAL);
	rec_hdr(&fx->rec)->size = UINT32_MAX;
	assert_int_equal(decode(fx), -EINVAL);
	/* smaller than its own header */
	rec_hdr(&fx->rec)->size = HDR_SIZE - 1;
	assert_int_equal(decode(fx), -EINVAL);
	rec_hdr(&fx->rec)->size = 0;
	assert_int_equal(decode(fx), -EINVAL);
}

/* Bytes past hdr.size (but within the buffer) are not part of the record. */
static void test_hdr_size_bounds_fields(void **state)
{
	struct fixture *fx = *state;

	rec_init(&fx->rec, VIGIL_EVT_OPENAT);
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, LIT("/etc/passwd\0"));
	rec_hdr(&fx->rec)->size = HDR_SIZE;
	assert_int_equal(decode(fx), 0);
	assert_event_empty(&fx->ev);
}

static void test_field_len_past_end(void **state)
{
	struct fixture *fx = *state;
	struct vigil_field *f;

	rec_init(&fx->rec, VIGIL_EVT_OPENAT);
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, LIT("abc\0"));
	f = (struct vigil_field *)((char *)fx->rec.words + HDR_SIZE);
	/* record is hdr + 8 + 8: a len of 9 runs one byte past hdr.size */
	f->len = 9;
	assert_int_equal(decode(fx), -EINVAL);
	f->len = 4096;
	assert_int_equal(decode(fx), -EINVAL);
	/* len + 7 would wrap a 32-bit padding computation */
	f->len = UINT32_MAX;
	assert_int_equal(decode(fx), -EINVAL);
	f->len = UINT32_MAX - 6;
	assert_int_equal(decode(fx), -EINVAL);
	/* exactly up to the end is fine */
	f->len = 8;
	memcpy(f + 1, "abcdefg", 8);
	assert_int_equal(decode(fx), 0);
	assert_string_equal(fx->ev.nameraw, "abcdefg");
}

/* A bad field after good ones still rejects the whole record. */
static void test_second_field_past_end(void **state)
{
	struct fixture *fx = *state;
	struct vigil_field *f;
	size_t off;

	rec_init(&fx->rec, VIGIL_EVT_OPENAT);
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, LIT("x\0"));
	off = fx->rec.len;
	rec_field(&fx->rec, VIGIL_F_DATA, VIGIL_K_STR, 0, LIT("y\0"));
	f = (struct vigil_field *)((char *)fx->rec.words + off);
	f->len = 64;
	assert_int_equal(decode(fx), -EINVAL);
}

/* The last payload may end without its padding (size not a multiple of 8). */
static void test_last_field_unpadded(void **state)
{
	struct fixture *fx = *state;

	rec_init(&fx->rec, VIGIL_EVT_OPENAT);
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, LIT("hello\0"));
	rec_hdr(&fx->rec)->size = HDR_SIZE + 8 + 6;
	assert_int_equal(decode_n(fx, HDR_SIZE + 8 + 6), 0);
	assert_string_equal(fx->ev.nameraw, "hello");
}

/* Fewer trailing bytes than a field header: ignored, not read. */
static void test_trailing_partial_field_header(void **state)
{
	struct fixture *fx = *state;

	rec_init(&fx->rec, VIGIL_EVT_OPENAT);
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, LIT("/x\0"));
	memset((char *)fx->rec.words + fx->rec.len, 0xff, 8);
	for (size_t extra = 1; extra < sizeof(struct vigil_field); extra++) {
		rec_hdr(&fx->rec)->size = (uint32_t)(fx->rec.len + extra);
		assert_int_equal(decode_n(fx, fx->rec.len + extra), 0);
		assert_string_equal(fx->ev.nameraw, "/x");
		assert_string_equal(fx->ev.name, "/x");
	}
}

static void test_unknown_fields_skipped(void **state)
{
	struct fixture *fx = *state;
	static const char junk[] = "0123456789abcdefXYZ";

	rec_init(&fx->rec, VIGIL_EVT_OPENAT);
	rec_field(&fx->rec, 0, VIGIL_K_STR, 0, junk, sizeof(junk));
	rec_field(&fx->rec, 200, VIGIL_K_BYTES, 0, junk, 3);
	rec_field(&fx->rec, 100, VIGIL_K_PATH, 0, LIT("a\0b\0"));
	rec_field(&fx->rec, 255, 0, 0, NULL, 0);
	rec_field(&fx->rec, VIGIL_F_NAME, VIGIL_K_PATH, 0, LIT("f.txt\0dir\0tmp\0"));
	rec_field(&fx->rec, 77, VIGIL_K_STR, 0, junk, 1); /* no NUL: never parsed */
	assert_int_equal(decode(fx), 0);
	assert_string_equal(fx->ev.name, "/tmp/dir/f.txt");
	assert_null(fx->ev.nameraw);
	assert_null(fx->ev.data);
	assert_null(fx->ev.exe);
	assert_false(fx->ev.truncated);
}

static void test_path_field(void **state)
{
	struct fixture *fx = *state;

	rec_init(&fx->rec, VIGIL_EVT_OPENAT);
	rec_field(&fx->rec, VIGIL_F_NAME, VIGIL_K_PATH, 0, LIT("f.txt\0dir\0tmp\0"));
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, LIT("f.txt\0"));
	assert_int_equal(decode(fx), 0);
	assert_string_equal(fx->ev.name, "/tmp/dir/f.txt");
	assert_ptr_equal(fx->ev.name, fx->buf.name);
	/* NAME wins over resolving NAMERAW */
	assert_string_equal(fx->ev.nameraw, "f.txt");
	assert_null(fx->ev.target);
	assert_false(fx->ev.truncated);
}

static void test_path_field_empty_is_root(void **state)
{
	struct fixture *fx = *state;

	rec_init(&fx->rec, VIGIL_EVT_CHMOD);
	rec_field(&fx->rec, VIGIL_F_NAME, VIGIL_K_PATH, 0, NULL, 0);
	rec_field(&fx->rec, VIGIL_F_CWD, VIGIL_K_PATH, 0, LIT("\0"));
	assert_int_equal(decode(fx), 0);
	assert_string_equal(fx->ev.name, "/");
	assert_string_equal(fx->ev.cwd, "/");
}

/* Last component without its NUL, payload unpadded at the end of the record. */
static void test_path_field_unterminated(void **state)
{
	struct fixture *fx = *state;

	rec_init(&fx->rec, VIGIL_EVT_OPENAT);
	rec_field(&fx->rec, VIGIL_F_NAME, VIGIL_K_PATH, 0, LIT("leaf\0root"));
	rec_hdr(&fx->rec)->size = HDR_SIZE + 8 + 9;
	assert_int_equal(decode_n(fx, HDR_SIZE + 8 + 9), 0);
	assert_string_equal(fx->ev.name, "/root/leaf");
}

static void test_path_truncated_flag(void **state)
{
	struct fixture *fx = *state;

	rec_init(&fx->rec, VIGIL_EVT_OPENAT);
	rec_field(&fx->rec, VIGIL_F_NAME, VIGIL_K_PATH, VIGIL_PATH_TRUNCATED, LIT("f\0d\0"));
	assert_int_equal(decode(fx), 0);
	assert_string_equal(fx->ev.name, "/d/f");
	assert_true(fx->ev.truncated);

	rec_init(&fx->rec, VIGIL_EVT_EXECVE);
	rec_field(&fx->rec, VIGIL_F_ARGV, VIGIL_K_STR, VIGIL_PATH_TRUNCATED, LIT("ls\0-l\0"));
	assert_int_equal(decode(fx), 0);
	assert_true(fx->ev.truncated);
}

/* A STR payload must contain its NUL within len. */
static void test_str_needs_nul(void **state)
{
	struct fixture *fx = *state;

	rec_init(&fx->rec, VIGIL_EVT_MOUNT);
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, "abcdefgh", 8);
	rec_field(&fx->rec, VIGIL_F_TARGET, VIGIL_K_STR, 0, NULL, 0);
	rec_field(&fx->rec, VIGIL_F_FSTYPE, VIGIL_K_STR, 0, "ext4", 4);
	rec_field(&fx->rec, VIGIL_F_DATA, VIGIL_K_STR, 0, LIT("ok\0"));
	assert_int_equal(decode(fx), 0);
	assert_null(fx->ev.nameraw);
	assert_null(fx->ev.name);
	assert_null(fx->ev.targetraw);
	assert_null(fx->ev.target);
	assert_null(fx->ev.fstype);
	assert_string_equal(fx->ev.data, "ok");
}

/* Failed openat: no NAME, the raw relative string joined to DIRPATH. */
static void test_nameraw_resolved_against_dirpath(void **state)
{
	struct fixture *fx = *state;

	rec_init(&fx->rec, VIGIL_EVT_OPENAT);
	rec_hdr(&fx->rec)->ret = -ENOENT;
	rec_field(&fx->rec, VIGIL_F_DIRPATH, VIGIL_K_PATH, 0, LIT("dir\0tmp\0"));
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, LIT("sub/../x\0"));
	assert_int_equal(decode(fx), 0);
	assert_string_equal(fx->ev.nameraw, "sub/../x");
	assert_string_equal(fx->ev.name, "/tmp/dir/x");
	assert_ptr_equal(fx->ev.name, fx->buf.name);
}

/* Field order does not matter: NAMERAW before DIRPATH. */
static void test_nameraw_before_dirpath(void **state)
{
	struct fixture *fx = *state;

	rec_init(&fx->rec, VIGIL_EVT_UNLINKAT);
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, LIT("./a//b/\0"));
	rec_field(&fx->rec, VIGIL_F_DIRPATH, VIGIL_K_STR, 0, LIT("/srv/../home\0"));
	assert_int_equal(decode(fx), 0);
	assert_string_equal(fx->ev.name, "/home/a/b");
}

static void test_nameraw_without_dirpath(void **state)
{
	struct fixture *fx = *state;

	/* relative and nothing to join it to: kept as the caller wrote it */
	rec_init(&fx->rec, VIGIL_EVT_UNLINK);
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, LIT("a/../b\0"));
	assert_int_equal(decode(fx), 0);
	assert_string_equal(fx->ev.name, "a/../b");
	assert_ptr_equal(fx->ev.name, fx->ev.nameraw);

	/* absolute: normalised */
	rec_init(&fx->rec, VIGIL_EVT_UNLINK);
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, LIT("/a/./b//c/../d\0"));
	assert_int_equal(decode(fx), 0);
	assert_string_equal(fx->ev.name, "/a/b/d");
	assert_string_equal(fx->ev.nameraw, "/a/./b//c/../d");

	/* absolute raw ignores the directory */
	rec_init(&fx->rec, VIGIL_EVT_UNLINKAT);
	rec_field(&fx->rec, VIGIL_F_DIRPATH, VIGIL_K_PATH, 0, LIT("tmp\0"));
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, LIT("/etc/../etc/shadow\0"));
	assert_int_equal(decode(fx), 0);
	assert_string_equal(fx->ev.name, "/etc/shadow");
}

static void test_target_resolved(void **state)
{
	struct fixture *fx = *state;

	rec_init(&fx->rec, VIGIL_EVT_RENAMEAT);
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, LIT("old\0"));
	rec_field(&fx->rec, VIGIL_F_DIRPATH, VIGIL_K_PATH, 0, LIT("src\0"));
	rec_field(&fx->rec, VIGIL_F_TARGET, VIGIL_K_STR, 0, LIT("../new\0"));
	rec_field(&fx->rec, VIGIL_F_TARGETDIR, VIGIL_K_PATH, 0, LIT("d\0dst\0"));
	assert_int_equal(decode(fx), 0);
	assert_string_equal(fx->ev.name, "/src/old");
	assert_string_equal(fx->ev.targetraw, "../new");
	assert_string_equal(fx->ev.target, "/dst/new");
	assert_ptr_equal(fx->ev.target, fx->buf.target);

	/* target relative without TARGETDIR: as is (DIRPATH is not used) */
	rec_init(&fx->rec, VIGIL_EVT_SYMLINK);
	rec_field(&fx->rec, VIGIL_F_DIRPATH, VIGIL_K_PATH, 0, LIT("src\0"));
	rec_field(&fx->rec, VIGIL_F_TARGET, VIGIL_K_STR, 0, LIT("lnk\0"));
	assert_int_equal(decode(fx), 0);
	assert_string_equal(fx->ev.target, "lnk");
	assert_null(fx->ev.name);
}

static void test_name_as_str(void **state)
{
	struct fixture *fx = *state;

	rec_init(&fx->rec, VIGIL_EVT_OPENAT);
	rec_field(&fx->rec, VIGIL_F_NAME, VIGIL_K_STR, 0, LIT("anon_inode:[eventfd]\0"));
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, LIT("ignored\0"));
	assert_int_equal(decode(fx), 0);
	assert_string_equal(fx->ev.name, "anon_inode:[eventfd]");
	assert_ptr_equal(fx->ev.name, (char *)fx->copy + HDR_SIZE + 8);
}

static void test_exec_fields(void **state)
{
	struct fixture *fx = *state;
	static const char argv[] = "ls\0-l\0/tmp";

	rec_init(&fx->rec, VIGIL_EVT_EXECVE);
	rec_field(&fx->rec, VIGIL_F_EXE, VIGIL_K_PATH, 0, LIT("ls\0bin\0usr\0"));
	rec_field(&fx->rec, VIGIL_F_ARGV, VIGIL_K_STR, 0, argv, sizeof(argv));
	rec_field(&fx->rec, VIGIL_F_CWD, VIGIL_K_PATH, 0, LIT("u\0home\0"));
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, LIT("/bin/ls\0"));
	assert_int_equal(decode(fx), 0);
	assert_string_equal(fx->ev.exe, "/usr/bin/ls");
	assert_ptr_equal(fx->ev.exe, fx->buf.exe);
	assert_string_equal(fx->ev.cwd, "/home/u");
	assert_ptr_equal(fx->ev.cwd, fx->buf.cwd);
	assert_int_equal(fx->ev.argv_len, sizeof(argv));
	assert_memory_equal(fx->ev.argv, argv, sizeof(argv));
	assert_string_equal(fx->ev.nameraw, "/bin/ls");
	assert_string_equal(fx->ev.name, "/bin/ls");
}

static void test_socket_fields(void **state)
{
	struct fixture *fx = *state;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(8080)};
	struct vigil_sockinfo si = {.family = AF_INET, .type = SOCK_STREAM, .lport = 40000};

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rec_init(&fx->rec, VIGIL_EVT_CONNECT);
	rec_field(&fx->rec, VIGIL_F_SOCKADDR, VIGIL_K_BYTES, 0, &sin, sizeof(sin));
	rec_field(&fx->rec, VIGIL_F_SOCK, VIGIL_K_BYTES, 0, &si, sizeof(si));
	assert_int_equal(decode(fx), 0);
	assert_non_null(fx->ev.sockaddr);
	assert_int_equal(fx->ev.sockaddr_len, sizeof(sin));
	assert_memory_equal(fx->ev.sockaddr, &sin, sizeof(sin));
	assert_non_null(fx->ev.sock);
	assert_ptr_equal(fx->ev.sock, (char *)fx->copy + HDR_SIZE + 8 + 16 + 8);
	assert_int_equal(fx->ev.sock->family, AF_INET);
	assert_int_equal(fx->ev.sock->lport, 40000);
	assert_null(fx->ev.name);
}

/* A sockinfo shorter than the struct is not used (would be read past len). */
static void test_short_sockinfo_ignored(void **state)
{
	struct fixture *fx = *state;
	struct vigil_sockinfo si = {.family = AF_INET};

	rec_init(&fx->rec, VIGIL_EVT_ACCEPT);
	rec_field(&fx->rec, VIGIL_F_SOCK, VIGIL_K_BYTES, 0, &si, sizeof(si) - 1);
	rec_hdr(&fx->rec)->size = (uint32_t)(HDR_SIZE + 8 + sizeof(si) - 1);
	assert_int_equal(decode_n(fx, HDR_SIZE + 8 + sizeof(si) - 1), 0);
	assert_null(fx->ev.sock);

	/* longer (a newer kernel side) is fine */
	rec_init(&fx->rec, VIGIL_EVT_ACCEPT);
	{
		char big[sizeof(si) + 8] = {0};

		memcpy(big, &si, sizeof(si));
		rec_field(&fx->rec, VIGIL_F_SOCK, VIGIL_K_BYTES, 0, big, sizeof(big));
	}
	assert_int_equal(decode(fx), 0);
	assert_non_null(fx->ev.sock);
	assert_int_equal(fx->ev.sock->family, AF_INET);
}

static void test_execinfo_field(void **state)
{
	struct fixture *fx = *state;
	struct vigil_execinfo xi = {.cap_effective = 1ull << 21, .sid = 77, .flags = 1};

	rec_init(&fx->rec, VIGIL_EVT_EXECVE);
	rec_field(&fx->rec, VIGIL_F_EXECINFO, VIGIL_K_BYTES, 0, &xi, sizeof(xi));
	assert_int_equal(decode(fx), 0);
	assert_non_null(fx->ev.execinfo);
	assert_ptr_equal(fx->ev.execinfo, (char *)fx->copy + HDR_SIZE + 8);
	assert_int_equal(fx->ev.execinfo->cap_effective, 1ull << 21);
	assert_int_equal(fx->ev.execinfo->sid, 77);

	/* short: not used */
	rec_init(&fx->rec, VIGIL_EVT_EXECVE);
	rec_field(&fx->rec, VIGIL_F_EXECINFO, VIGIL_K_BYTES, 0, &xi, sizeof(xi) - 1);
	rec_hdr(&fx->rec)->size = (uint32_t)(HDR_SIZE + 8 + sizeof(xi) - 1);
	assert_int_equal(decode_n(fx, HDR_SIZE + 8 + sizeof(xi) - 1), 0);
	assert_null(fx->ev.execinfo);
}

/* Duplicated ids: the last one wins. */
static void test_duplicate_field_last_wins(void **state)
{
	struct fixture *fx = *state;

	rec_init(&fx->rec, VIGIL_EVT_MEMFD_CREATE);
	rec_field(&fx->rec, VIGIL_F_DATA, VIGIL_K_STR, 0, LIT("first\0"));
	rec_field(&fx->rec, VIGIL_F_DATA, VIGIL_K_STR, 0, LIT("second\0"));
	assert_int_equal(decode(fx), 0);
	assert_string_equal(fx->ev.data, "second");
}

/* A record decoded after a richer one carries nothing over. */
static void test_event_reset_between_records(void **state)
{
	struct fixture *fx = *state;

	rec_init(&fx->rec, VIGIL_EVT_OPENAT);
	rec_field(&fx->rec, VIGIL_F_NAME, VIGIL_K_PATH, VIGIL_PATH_TRUNCATED, LIT("a\0"));
	rec_field(&fx->rec, VIGIL_F_DATA, VIGIL_K_STR, 0, LIT("d\0"));
	assert_int_equal(decode(fx), 0);
	assert_true(fx->ev.truncated);
	rec_init(&fx->rec, VIGIL_EVT_CLONE);
	assert_int_equal(decode(fx), 0);
	assert_event_empty(&fx->ev);
}

/* Largest record: fields at the documented limits decode exactly. */
static void test_max_sizes(void **state)
{
	struct fixture *fx = *state;
	char *comps = malloc(VIGIL_PATH_MAX), *raw = malloc(VIGIL_STR_MAX);
	size_t len = 0;

	(void)state;
	assert_non_null(comps);
	assert_non_null(raw);
	/* 48 components of 80 bytes + NUL = 3888 bytes */
	for (int i = 0; i < VIGIL_PATH_DEPTH; i++) {
		memset(comps + len, 'a' + i % 26, 80);
		comps[len + 80] = '\0';
		len += 81;
	}
	memset(raw, 'r', VIGIL_STR_MAX - 1);
	raw[VIGIL_STR_MAX - 1] = '\0';
	rec_init(&fx->rec, VIGIL_EVT_OPENAT);
	rec_field(&fx->rec, VIGIL_F_DIRPATH, VIGIL_K_PATH, 0, comps, (uint32_t)len);
	rec_field(&fx->rec, VIGIL_F_NAMERAW, VIGIL_K_STR, 0, raw, VIGIL_STR_MAX);
	assert_true(fx->rec.len <= VIGIL_EVENT_MAX);
	assert_int_equal(decode(fx), 0);
	assert_int_equal(strlen(fx->ev.name), VIGIL_PATH_DEPTH * 81 + VIGIL_STR_MAX);
	assert_int_equal(fx->ev.name[0], '/');
	assert_int_equal(fx->ev.name[1], 'a' + (VIGIL_PATH_DEPTH - 1) % 26);
	assert_int_equal(fx->ev.name[VIGIL_PATH_DEPTH * 81], '/');
	assert_memory_equal(fx->ev.name + VIGIL_PATH_DEPTH * 81 + 1, raw, VIGIL_STR_MAX - 1);
	free(comps);
	free(raw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_abi_layout),
	    cmocka_unit_test_setup_teardown(test_header_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_small, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_hdr_size, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hdr_size_bounds_fields, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_field_len_past_end, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_second_field_past_end, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_last_field_unpadded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_trailing_partial_field_header, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_fields_skipped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_path_field, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_path_field_empty_is_root, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_path_field_unterminated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_path_truncated_flag, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_str_needs_nul, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nameraw_resolved_against_dirpath, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nameraw_before_dirpath, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nameraw_without_dirpath, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_target_resolved, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_name_as_str, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exec_fields, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_socket_fields, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_short_sockinfo_ignored, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_execinfo_field, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_field_last_wins, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_event_reset_between_records, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_max_sizes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
