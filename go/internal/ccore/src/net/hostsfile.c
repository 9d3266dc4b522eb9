#include "net/hostsfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

/* Does some non-comment line of text map addr to the name "localhost"? */
static bool maps_localhost(const char *text, size_t len, const char *addr)
{
	size_t i = 0;

	while (i < len) {
		size_t end = i, n;
		char *line;
		bool found = false;

		while (end < len && text[end] != '\n')
			end++;
		n = end - i;
		line = strndup(text + i, n);
		if (!line)
			return false;
		line[strcspn(line, "#")] = '\0';
		{
			char *save = NULL;
			char *tok = strtok_r(line, " \t\r", &save);

			if (tok && strcmp(tok, addr) == 0) {
				while ((tok = strtok_r(NULL, " \t\r", &save)))
					if (strcmp(tok, "localhost") == 0)
						found = true;
			}
		}
		free(line);
		if (found)
			return true;
		i = end + 1;
	}
	return false;
}

int sl_net_hosts_file(const struct sl_net_hosts *hs, const char *image,
		      size_t image_len, char **out, size_t *len)
{
	_cleanup_(fclosep) FILE *f = NULL;
	char *buf = NULL;
	size_t size = 0;

	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	if (image) {
		fwrite(image, 1, image_len, f);
		if (image_len && image[image_len - 1] != '\n')
			fputc('\n', f);
		if (!maps_localhost(image, image_len, "127.0.0.1"))
			fputs("127.0.0.1 localhost\n", f);
		if (!maps_localhost(image, image_len, "::1"))
			fputs("::1 localhost\n", f);
	} else {
		fputs("127.0.0.1 localhost\n::1 localhost\n", f);
	}
	for (uint32_t i = 0; hs && i < hs->n; i++) {
		for (uint32_t k = 0; k < hs->v[i].naddrs; k++) {
			char ip[SL_IP_STRLEN];

			sl_ip_format(&hs->v[i].addrs[k], ip);
			fprintf(f, "%s %s\n", ip, hs->v[i].name);
		}
	}
	if (ferror(f) || fclose(f) != 0) {
		f = NULL;
		free(buf);
		return -ENOMEM;
	}
	f = NULL;
	*out = buf;
	*len = size;
	return 0;
}
