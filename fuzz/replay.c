/* replay: runs a fuzz target's entry function over files, without libFuzzer.
 *
 * Linked with one fuzz_<target>.c, it is registered with ctest and replays
 * the target's seed corpus and its kept regression inputs (crashes that were
 * fixed), so every build, and the sanitizer build in CI, re-checks them.
 * Arguments are files or directories (read one level deep, skipping dot
 * files and README); a missing directory is skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot read '%s': %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf) {
		fprintf(stderr, "replay: out of memory reading '%s'\n", path);
		return -1;
	}
	/* an exact-size copy, so ASan catches reads past the input */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	size_t total = 0;
	int failed = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			printf("replay: skipping '%s' (absent)\n", argv[i]);
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			failed |= replay_file(argv[i]) != 0;
			total++;
			continue;
		}
		DIR *dir = opendir(argv[i]);
		if (!dir) {
			fprintf(stderr, "replay: cannot open '%s': %s\n", argv[i], strerror(errno));
			failed = 1;
			continue;
		}
		char **names = NULL;
		size_t n = 0, cap = 0;
		struct dirent *de;
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.' || strcmp(de->d_name, "README") == 0)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				char **nn = realloc(names, cap * sizeof *names);
				if (!nn)
					abort();
				names = nn;
			}
			size_t l = strlen(argv[i]) + strlen(de->d_name) + 2;
			names[n] = malloc(l);
			if (!names[n])
				abort();
			snprintf(names[n], l, "%s/%s", argv[i], de->d_name);
			n++;
		}
		closedir(dir);
		if (n > 1)
			qsort(names, n, sizeof *names, cmp_str);
		for (size_t k = 0; k < n; k++) {
			struct stat fst;
			if (stat(names[k], &fst) == 0 && S_ISREG(fst.st_mode)) {
				failed |= replay_file(names[k]) != 0;
				total++;
			}
			free(names[k]);
		}
		free(names);
	}
	printf("replay: %zu inputs, no crash\n", total);
	return failed;
}
