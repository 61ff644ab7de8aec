/* default_rules.h - the rule set compiled into the binary (rules/vigil_rules.yaml). */
#ifndef VIGIL_DEFAULT_RULES_H
#define VIGIL_DEFAULT_RULES_H

#include <stddef.h>

const char *vigil_default_rules(size_t *len);

#endif /* VIGIL_DEFAULT_RULES_H */
