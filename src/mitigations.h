/* mitigations.h - the catalogue of virtual patches (named runtime
 * mitigations for known exploit paths) and `vigil mitigations`. */
#ifndef VIGIL_MITIGATIONS_H
#define VIGIL_MITIGATIONS_H

/* `vigil mitigations [show NAME]` (argv[0] is "mitigations"). */
int vigil_cmd_mitigations(int argc, char **argv);

#endif /* VIGIL_MITIGATIONS_H */
