/* default_rules.c - embeds rules/vigil_rules.yaml at build time (.incbin), so
 * `vigil run` works with no file on disk. */
#include "default_rules.h"

__asm__(".section .rodata\n"
	".balign 8\n"
	".global vigil_rules_yaml_start\n"
	"vigil_rules_yaml_start:\n"
	".incbin \"rules/vigil_rules.yaml\"\n"
	".global vigil_rules_yaml_end\n"
	"vigil_rules_yaml_end:\n"
	".byte 0\n"
	".previous\n");

extern const char vigil_rules_yaml_start[];
extern const char vigil_rules_yaml_end[];

const char *vigil_default_rules(size_t *len)
{
	*len = (size_t)(vigil_rules_yaml_end - vigil_rules_yaml_start);
	return vigil_rules_yaml_start;
}
