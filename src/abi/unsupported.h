/*
 * Features whose ABI exists before their implementation (docs/decisions.md decision 7):
 * their entry points fail, naming the feature, instead of doing nothing.
 */
#ifndef SL_ABI_UNSUPPORTED_H
#define SL_ABI_UNSUPPORTED_H

/* Record "<feature> is not supported yet" (EOPNOTSUPP) as the calling
 * thread's last error. Only the top-level entry points of a feature call
 * it. */
void sl_abi_unsupported(const char *feature);

#endif
