/* Byte sizes: no crash, no leak; accepted sizes and arbitrary values
 * render to text that parses back to the same value. */
#include "fuzz_input.h"
#include "util/bytesize.h"

static void round_trip(uint64_t v)
{
	char *text = sl_bytesize_render(v);
	uint64_t back = 0;

	if (!text || sl_bytesize_parse(text, &back, NULL) != 0 || back != v)
		abort();
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct sl_error e = { 0 };
	uint64_t v = 0;

	if (sl_bytesize_parse(s, &v, &e) == 0)
		round_trip(v);
	sl_error_clear(&e);
	if (size >= sizeof(v)) {
		memcpy(&v, data, sizeof(v));
		round_trip(v);
	}
	free(s);
	return 0;
}
