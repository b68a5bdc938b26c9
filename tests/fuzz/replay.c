/*
 * replay.c: a main() for a fuzz target without libFuzzer. Every argument is a file or a
 * directory of files; each file is fed once to LLVMFuzzerTestOneInput. A crash, a sanitizer
 * report (under make check) or a leak fails the run; otherwise it prints
 * "N passed, 0 failed" for tests/run.sh. Used by `make test` on tests/fuzz/corpus/<target>/
 * and tests/fuzz/regress/<target>/.
 */
#include "tests/fuzz/fuzz.h"

#include <dirent.h>
#include <sys/stat.h>

static int feed(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;
	if (!f)
		return fprintf(stderr, "replay: %s: cannot open\n", path), -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return fprintf(stderr, "replay: %s: cannot read\n", path), -1;
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return fprintf(stderr, "replay: %s: cannot read\n", path), -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	int pass = 0, fail = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0)
			continue; /* an absent regress/ folder: nothing to replay */
		if (!S_ISDIR(st.st_mode)) {
			feed(argv[i]) == 0 ? pass++ : fail++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		char **names = NULL;
		size_t n = 0;
		if (!d)
			continue;
		while ((e = readdir(d))) {
			char **nn;
			if (e->d_name[0] == '.')
				continue;
			nn = realloc(names, (n + 1) * sizeof(*names));
			if (!nn)
				abort();
			names = nn;
			names[n] = malloc(strlen(argv[i]) + strlen(e->d_name) + 2);
			if (!names[n])
				abort();
			sprintf(names[n++], "%s/%s", argv[i], e->d_name);
		}
		closedir(d);
		if (n)
			qsort(names, n, sizeof(*names), cmp);
		for (size_t k = 0; k < n; k++) {
			feed(names[k]) == 0 ? pass++ : fail++;
			free(names[k]);
		}
		free(names);
	}
	printf("%d passed, %d failed\n", pass, fail);
	return fail != 0;
}
