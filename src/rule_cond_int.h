/* rule_cond_int.h - what the files of the condition language share, private
 * to them: rule_cond_parse.c (scanner and parser), rule_cond_resolve.c
 * (operands, trees, macros and lists) and rule_cond.c (evaluation and event
 * types). The public interface is rule_cond.h.
 */
#ifndef VIGIL_RULE_COND_INT_H
#define VIGIL_RULE_COND_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rule_cond.h"

static inline bool is_list_op(enum vigil_cmp_op op)
{
	return op == VIGIL_OP_IN || op == VIGIL_OP_INTERSECTS || op == VIGIL_OP_PMATCH;
}

static inline enum vigil_ftype field_type(const struct vigil_field_ref *ref)
{
	const struct vigil_field_def *def = vigil_field_def(ref->id);

	return def ? def->type : VIGIL_FT_STRING;
}

/* Fills err (when not NULL): place, offending token (cut to fit), message. */
void rc_err_set(struct vigil_cond_error *err, int line, int col, const char *tok, size_t toklen,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Operands (rule_cond_resolve.c). */

/* Appends an operand taking ownership of text; -1 when out of memory. */
int rc_operand_push(struct vigil_operand **v, size_t *n, char *text, size_t len, bool quoted);
/* A NUL-terminated copy of s[0..len); NULL when out of memory. */
char *rc_memdup0(const char *s, size_t len);
/* Decimal or 0x hex, with an optional sign. */
bool rc_parse_int(const char *s, int64_t *out);
/* true/false (any case), 1/0. */
bool rc_parse_bool(const char *s, int64_t *out);
int rc_compile_operand(enum vigil_ftype t, enum vigil_cmp_op op, struct vigil_operand *o, char *msg,
		       size_t msgsz);
int rc_compile_regex(struct vigil_cond *c, char *msg, size_t msgsz);

/* Precomputes every evt.type comparison of the tree (rule_cond.c). */
void rc_decide_by_type(struct vigil_cond *c);

#endif /* VIGIL_RULE_COND_INT_H */
