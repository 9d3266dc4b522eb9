/* Landlock protections: minimum ABI, API names and CLI tokens (docs/behaviour.md 3.6). */
#include "policy/policy.h"

#include <errno.h>
#include <strings.h>

static const struct {
	uint32_t min_abi;
	const char *name;
	const char *token;
} protections[SL_NPROT] = {
	[SL_PROT_FS_REFER] = { 2, "FsRefer", "fs-refer" },
	[SL_PROT_FS_TRUNCATE] = { 3, "FsTruncate", "fs-truncate" },
	[SL_PROT_NET_TCP] = { 4, "NetTcp", "net-tcp" },
	[SL_PROT_FS_IOCTL_DEV] = { 5, "FsIoctlDev", "fs-ioctl-dev" },
	[SL_PROT_SIGNAL_SCOPE] = { 6, "SignalScope", "signal-scope" },
	[SL_PROT_ABSTRACT_UNIX_SOCKET_SCOPE] = { 6, "AbstractUnixSocketScope",
						 "abstract-unix-socket-scope" },
};

uint32_t sl_protection_min_abi(uint32_t prot)
{
	return prot < SL_NPROT ? protections[prot].min_abi : 0;
}

const char *sl_protection_name(uint32_t prot)
{
	return prot < SL_NPROT ? protections[prot].name : NULL;
}

const char *sl_protection_token(uint32_t prot)
{
	return prot < SL_NPROT ? protections[prot].token : NULL;
}

/* The kernel refuses cross-directory rename/link whenever REFER is not
 * handled, so disabling it could only tighten, never relax. */
const char *sl_protection_undisableable(uint32_t prot)
{
	if (prot == SL_PROT_FS_REFER)
		return "the kernel denies cross-directory rename and link "
		       "without it";
	return NULL;
}

int sl_protection_parse(const char *token, uint32_t *out)
{
	if (!token)
		return -EINVAL;
	for (uint32_t i = 0; i < SL_NPROT; i++) {
		if (strcasecmp(token, protections[i].token) == 0) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}
