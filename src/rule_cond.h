/* rule_cond.h - the Falco condition language: parse to a tree, resolve
 * macros and lists, evaluate against an event with no allocation.
 *
 * Grammar (precedence low to high):  or  <  and  <  not  <  comparison
 *   expr    := or_expr
 *   or_expr := and_expr ("or" and_expr)*
 *   and_expr:= not_expr ("and" not_expr)*
 *   not_expr:= "not" not_expr | primary
 *   primary := "(" expr ")" | IDENT (a macro) | field OP value | field "exists"
 *   value   := word | quoted string | "(" value ("," value)* ")"
 *   OP      := = == != < <= > >= contains icontains bcontains startswith
 *              bstartswith endswith glob in intersects pmatch regex
 */
#ifndef VIGIL_RULE_COND_H
#define VIGIL_RULE_COND_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rule_fields.h"
#include "vigil_abi.h"

enum vigil_cmp_op {
	VIGIL_OP_EQ,
	VIGIL_OP_NE,
	VIGIL_OP_LT,
	VIGIL_OP_LE,
	VIGIL_OP_GT,
	VIGIL_OP_GE,
	VIGIL_OP_CONTAINS,
	VIGIL_OP_ICONTAINS,
	VIGIL_OP_BCONTAINS, /* operand in hex: "bcontains 2f746d70" */
	VIGIL_OP_STARTSWITH,
	VIGIL_OP_BSTARTSWITH,
	VIGIL_OP_ENDSWITH,
	VIGIL_OP_GLOB, /* fnmatch(3) */
	VIGIL_OP_IN,
	VIGIL_OP_INTERSECTS, /* the field's space-separated values meet the list */
	VIGIL_OP_PMATCH,     /* path prefix match against a list of paths */
	VIGIL_OP_EXISTS,
	VIGIL_OP_REGEX, /* POSIX extended regular expression */
};

enum vigil_node_kind {
	VIGIL_N_AND,
	VIGIL_N_OR,
	VIGIL_N_NOT,
	VIGIL_N_CMP,
	VIGIL_N_MACRO, /* a bare identifier; replaced by the macro's tree at resolve */
	VIGIL_N_TRUE,  /* used for empty/always conditions */
	VIGIL_N_FALSE,
};

/* One operand of a comparison, compiled once for its operator and field type. */
struct vigil_operand {
	char *text; /* as written (unquoted) */
	size_t len;
	bool quoted;	/* was quoted: never a list name */
	int64_t num;	/* parsed when the field is INT/BOOL */
	uint8_t ip[16]; /* IP / CIDR network */
	uint8_t ip_len;
	uint8_t prefix; /* CIDR prefix length */
	uint8_t *bytes; /* bcontains/bstartswith: decoded hex */
	size_t nbytes;
};

struct vigil_cond {
	enum vigil_node_kind kind;
	struct vigil_cond *a, *b; /* AND/OR: a and b; NOT: a */
	/* CMP */
	struct vigil_field_ref field;
	enum vigil_cmp_op op;
	bool list_syntax; /* the operand was written "( ... )" */
	struct vigil_operand *vals;
	size_t nvals;
	regex_t *re; /* REGEX, compiled at resolve */
	/* evt.type comparisons are decided by the type alone: at resolve, the
	 * set of types for which this one holds (bit per VIGIL_EVT_*). */
	bool by_type;
	uint64_t type_true[(VIGIL_EVT_MAX + 63) / 64];
	bool sorted; /* IN on strings: vals sorted (length, bytes) for binary search */
	/* MACRO */
	char *ident;
	/* position in the condition text, 1-based, for messages */
	int line, col;
};

/* Where a parse or resolve error happened, and why. */
struct vigil_cond_error {
	int line, col;	/* within the condition text, 1-based */
	char token[64]; /* the offending token */
	char msg[192];
};

/* Parses a condition. NULL on error (err filled). */
struct vigil_cond *vigil_cond_parse(const char *text, struct vigil_cond_error *err);

void vigil_cond_free(struct vigil_cond *c);
struct vigil_cond *vigil_cond_clone(const struct vigil_cond *c);

/* Name lookups used while resolving: return NULL when unknown. A macro's
 * tree is cloned in; a list's items replace a bare list name in "in (...)",
 * "intersects", "pmatch" operands (recursively, lists may name lists). */
struct vigil_cond_env {
	const struct vigil_cond *(*macro)(void *arg, const char *name);
	/* Fills items and n with the list's items (already expanded). */
	bool (*list)(void *arg, const char *name, char *const **items, size_t *n);
	void *arg;
};

/* Inlines macros (detecting cycles), expands lists, compiles operands for
 * their field types (numbers, CIDRs, hex, regexes). Returns 0, or -1 with
 * err filled (unknown macro, bad number, bad regex, macro cycle...). */
int vigil_cond_resolve(struct vigil_cond **c, const struct vigil_cond_env *env,
		       struct vigil_cond_error *err);

bool vigil_cond_eval(const struct vigil_cond *c, struct vigil_eval_ctx *ctx);

/* Specialises a resolved condition for the event types it will be evaluated
 * on (a rule's index entries): evt.type comparisons that are always true or
 * always false there become constants, and constants are folded away. The
 * result is equivalent on those types and cheaper. Takes ownership of c. */
struct vigil_cond *vigil_cond_simplify(struct vigil_cond *c, const bool types[VIGIL_EVT_MAX]);

/* What a condition on an open event says about successful read-only opens,
 * for the in-kernel read filter: */
enum vigil_reads {
	VIGIL_READS_NONE, /* it cannot hold for one (it needs a write) */
	VIGIL_READS_DIRS, /* only below the top-level directories collected */
	VIGIL_READS_ANY,  /* no limit can be derived */
};

#define VIGIL_DIR_NAME_MAX 16 /* a top-level name, cut to 15 bytes, NUL-padded */

struct vigil_dirset {
	char (*dirs)[VIGIL_DIR_NAME_MAX];
	size_t n, max;
};

/* Adds to set the directories of a DIRS answer (a full set gives ANY). */
enum vigil_reads vigil_cond_reads(const struct vigil_cond *c, struct vigil_dirset *set);

/* The event types the condition can match (from evt.type comparisons that
 * must hold). All true when it cannot tell. Types are Vigil's VIGIL_EVT_*. */
void vigil_cond_event_types(const struct vigil_cond *c, bool types[VIGIL_EVT_MAX]);

#endif /* VIGIL_RULE_COND_H */
