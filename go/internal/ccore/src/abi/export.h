/* Marks the public ABI: everything else in the library is hidden. */
#ifndef SL_ABI_EXPORT_H
#define SL_ABI_EXPORT_H

#include "sandlock.h"

#define SL_EXPORT __attribute__((visibility("default")))

#endif
