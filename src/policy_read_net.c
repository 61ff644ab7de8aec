/* policy_read_net.c - network rules: addresses (CIDRs), ports and port ranges,
 * protocols, direction, and socket families.
 *
 * A rule with `families` matches socket creation; the other keys match
 * connect (egress), bind and listen (ingress). The two kinds of rule are
 * checked at different places in the kernel, so one rule cannot mix them.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "policy_int.h"

const char *const pl_net_keys[NET_NKEYS] = {
    [NET_CIDRS] = "cidrs",	   [NET_PORTS] = "ports",	[NET_PROTOCOLS] = "protocols",
    [NET_DIRECTION] = "direction", [NET_FAMILIES] = "families", [NET_ACTION] = "action",
};

/* ------------------------------------------------------------------------ */
/* Addresses                                                                 */

/* Reads "/N" after an address; false when it is not 0..max. */
static bool parse_prefix(const char *s, int max, uint8_t *prefix)
{
	int n = 0;

	if (!*s || strlen(s) > 3)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		n = n * 10 + (*s - '0');
	}
	if (n > max)
		return false;
	*prefix = (uint8_t)n;
	return true;
}

/* Why s is neither an address nor a CIDR (NULL: c is filled). */
static const char *parse_cidr(const char *s, struct vigil_cidr *c)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	char addr[INET6_ADDRSTRLEN + 1];
	int max;

	memset(c, 0, sizeof(*c));
	if (alen == 0 || alen >= sizeof(addr))
		return "is not an IPv4 or IPv6 address or CIDR";
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else {
		return "is not an IPv4 or IPv6 address or CIDR";
	}
	c->prefix = (uint8_t)max;
	if (slash && !parse_prefix(slash + 1, max, &c->prefix))
		return c->family == AF_INET ? "has a bad prefix length (0-32 for IPv4)"
					    : "has a bad prefix length (0-128 for IPv6)";
	return NULL;
}

/* Clears the bits past the prefix; whether any was set. */
static bool clear_host_bits(struct vigil_cidr *c)
{
	bool changed = false;

	for (int i = 0; i < 16; i++) {
		int bits = c->prefix - i * 8;
		uint8_t keep = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));

		changed |= (c->addr[i] & ~keep) != 0;
		c->addr[i] &= keep;
	}
	return changed;
}

static void read_cidrs(struct pl *pl, struct vigil_pol_rule *r, const yaml_node_t *v,
		       const char *what)
{
	size_t n = pl_list(pl, v, what, "cidrs");
	struct vigil_cidr *cidrs = rl_xcalloc(n, sizeof(*cidrs));
	bool ok = n > 0;

	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *e = pl_list_at(pl, v, i);
		const char *why = parse_cidr(sval(e), &cidrs[i]);
		char text[INET6_ADDRSTRLEN];

		if (why) {
			pl_err(pl, e, what, "cidrs: '%s' %s", sval(e), why);
			ok = false;
		} else if (clear_host_bits(&cidrs[i])) {
			inet_ntop(cidrs[i].family, cidrs[i].addr, text, sizeof(text));
			pl_warn(pl, e, what,
				"cidrs: '%s' has host bits set past the prefix: using %s/%u",
				sval(e), text, cidrs[i].prefix);
		}
	}
	if (!ok) {
		free(cidrs);
		return;
	}
	r->cidrs = cidrs;
	r->ncidrs = n;
}

/* ------------------------------------------------------------------------ */
/* Ports                                                                     */

/* Reads a port number at *s (advanced past it); 0 when it is none. */
static unsigned parse_port(const char **s)
{
	unsigned n = 0;

	if (!isdigit((unsigned char)**s))
		return 0;
	for (; isdigit((unsigned char)**s); (*s)++)
		if (n <= 65535) /* past it: out of range all the same */
			n = n * 10 + (unsigned)(**s - '0');
	return n;
}

/* Why s is neither a port nor a range "lo-hi" (NULL: pr is filled). */
static const char *parse_ports(const char *s, struct vigil_port_range *pr)
{
	unsigned lo, hi;

	if (!isdigit((unsigned char)*s))
		return "is not a port (1-65535) or a range \"lo-hi\"";
	lo = hi = parse_port(&s);
	if (*s == '-') {
		s++;
		if (!isdigit((unsigned char)*s))
			return "is not a port (1-65535) or a range \"lo-hi\"";
		hi = parse_port(&s);
	}
	if (*s)
		return "is not a port (1-65535) or a range \"lo-hi\"";
	if (lo < 1 || lo > 65535 || hi < 1 || hi > 65535)
		return "is out of range (ports are 1-65535)";
	if (lo > hi)
		return "is an empty range (its start is past its end)";
	pr->lo = (uint16_t)lo;
	pr->hi = (uint16_t)hi;
	return NULL;
}

static void read_ports(struct pl *pl, struct vigil_pol_rule *r, const yaml_node_t *v,
		       const char *what)
{
	size_t n = pl_list(pl, v, what, "ports");
	struct vigil_port_range *ports = rl_xcalloc(n, sizeof(*ports));
	bool ok = n > 0;

	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *e = pl_list_at(pl, v, i);
		const char *why = parse_ports(sval(e), &ports[i]);

		if (why) {
			pl_err(pl, e, what, "ports: '%s' %s", sval(e), why);
			ok = false;
		}
	}
	if (!ok) {
		free(ports);
		return;
	}
	r->ports = ports;
	r->nports = n;
}

/* ------------------------------------------------------------------------ */
/* Protocols, direction, families                                            */

static const char *const protocol_names[] = {"tcp", "udp"}; /* bit i: VIGIL_PROTO_* */

static int protocol_bit(struct pl *pl, const yaml_node_t *e, const char *what, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(protocol_names); i++)
		if (strcasecmp(sval(e), protocol_names[i]) == 0)
			return (int)i;
	pl_err(pl, e, what, "%s: unknown protocol '%s' (expected tcp or udp)", key, sval(e));
	return -1;
}

static const char *const direction_words[] = {"egress", "ingress", "both"};
static const unsigned direction_values[] = {VIGIL_DIR_EGRESS, VIGIL_DIR_INGRESS, VIGIL_DIR_BOTH};

static int family_number(struct pl *pl, const yaml_node_t *e, const char *what)
{
	int af = pl_family_number(sval(e));
	const char *near;

	if (af >= 0)
		return af;
	if ((near = pl_family_closest(sval(e))))
		pl_err(pl, e, what, "families: unknown socket family '%s' (did you mean %s?)",
		       sval(e), near);
	else
		pl_err(pl, e, what,
		       "families: unknown socket family '%s' (expected a name of <sys/socket.h>, "
		       "such as AF_PACKET or packet)",
		       sval(e));
	return -1;
}

static bool has_int(const int *v, size_t n, int x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static void read_families(struct pl *pl, struct vigil_pol_rule *r, const yaml_node_t *v,
			  const char *what)
{
	size_t n = pl_list(pl, v, what, "families"), nf = 0;
	int *fams = rl_xcalloc(n, sizeof(int));
	bool ok = n > 0;

	for (size_t i = 0; i < n; i++) {
		int af = family_number(pl, pl_list_at(pl, v, i), what);

		if (af < 0)
			ok = false;
		else if (!has_int(fams, nf, af)) /* AF_UNIX and AF_LOCAL are one */
			fams[nf++] = af;
	}
	if (!ok) {
		free(fams);
		return;
	}
	r->families = fams;
	r->nfamilies = nf;
}

bool pl_read_net_rule(struct pl *pl, struct vigil_pol_rule *r, yaml_node_t *const *vals,
		      const char *what)
{
	uint64_t protocols = VIGIL_PROTO_ALL;
	int dir = -1;

	if (vals[NET_CIDRS])
		read_cidrs(pl, r, vals[NET_CIDRS], what);
	if (vals[NET_PORTS])
		read_ports(pl, r, vals[NET_PORTS], what);
	if (vals[NET_PROTOCOLS])
		pl_mask(pl, vals[NET_PROTOCOLS], what, "protocols", protocol_bit, &protocols);
	r->protocols = (unsigned)protocols;
	if (vals[NET_DIRECTION])
		dir = pl_word(pl, vals[NET_DIRECTION], what, "direction", direction_words,
			      ARRAY_SIZE(direction_words));
	r->direction = dir >= 0 ? direction_values[dir] : VIGIL_DIR_BOTH;
	if (vals[NET_FAMILIES]) {
		read_families(pl, r, vals[NET_FAMILIES], what);
		if (vals[NET_CIDRS] || vals[NET_PORTS] || vals[NET_PROTOCOLS] ||
		    vals[NET_DIRECTION])
			pl_err(pl, vals[NET_FAMILIES], what,
			       "'families' cannot be combined with cidrs, ports, protocols or "
			       "direction: a families rule matches socket creation, the others "
			       "connect, bind and listen (write two rules)");
	}
	return vals[NET_FAMILIES] || vals[NET_CIDRS] || vals[NET_PORTS];
}
