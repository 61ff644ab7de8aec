/* mitigations_cmd.c - `vigil mitigations` (placeholder until issue 7 lands). */
#include <stdio.h>
#include "mitigations.h"

int vigil_cmd_mitigations(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vigil: mitigations: not built yet\n");
	return 1;
}
