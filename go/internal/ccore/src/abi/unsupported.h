/*
 * Features whose ABI exists before their implementation (docs/decisions.md decision 7):
 * their entry points fail, naming the feature, instead of doing nothing.
 */
#ifndef SL_ABI_UNSUPPORTED_H
#define SL_ABI_UNSUPPORTED_H

/* One diagnostic line on stderr: "sandlock: <feature> is not supported
 * yet". Only the top-level entry points of a feature call it. */
void sl_abi_unsupported(const char *feature);

#endif
