/* vuln.h - `vigil vuln`: rank a vulnerability scanner's findings by whether
 * the vulnerable packages are really used (runtime inventory). */
#ifndef VIGIL_VULN_H
#define VIGIL_VULN_H

/* `vigil vuln ...` (argv[0] is "vuln"); returns the exit status. */
int vigil_cmd_vuln(int argc, char **argv);

#endif /* VIGIL_VULN_H */
