/* vuln_cmd.c - `vigil vuln` command line (placeholder until issue 8 lands). */
#include <stdio.h>
#include "vuln.h"

int vigil_cmd_vuln(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vigil: vuln: not built yet\n");
	return 1;
}
