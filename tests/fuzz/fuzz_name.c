/* Sandbox names: no crash, no leak; whatever is accepted can safely name
 * a directory. */
#include "fuzz_input.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = fuzz_string(data, size);
	struct sl_error e = { 0 };
	size_t len = strlen(name);

	if (sl_name_validate(name, &e) == 0) {
		if (len == 0 || len > 64 || strchr(name, '/') ||
		    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			abort();
	} else if (!e.msg) {
		abort();
	}
	sl_error_clear(&e);
	free(name);
	return 0;
}
