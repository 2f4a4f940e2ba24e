/* standalone_main.c - runs a fuzz target's LLVMFuzzerTestOneInput on files, without
 * libFuzzer: the gcc builds (Release, ASan+UBSan) compile every target with this main
 * and run it over its seed corpus in the test suite, so the targets build and start in
 * every tree; scripts/fuzz.sh builds the real fuzzers with clang.
 *   fuzz_<x> FILE|DIR...    every file (a directory: its files, sorted) once */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = malloc(cap);
    for (;;) {
        if (!b)
            break;
        n += fread(b + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *nb = realloc(b, cap * 2);
        if (!nb) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
        cap *= 2;
    }
    fclose(f);
    if (!b) {
        fprintf(stderr, "out of memory reading %s\n", path);
        return 1;
    }
    /* an exact-size copy, so ASan sees a read past the input */
    uint8_t *exact = malloc(n ? n : 1);
    memcpy(exact, b, n);
    free(b);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    int bad = 0, runs = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[i]);
            char **names = NULL;
            size_t n = 0;
            struct dirent *e;
            while (d && (e = readdir(d))) {
                if (e->d_name[0] == '.')
                    continue;
                names = realloc(names, (n + 1) * sizeof *names);
                size_t l = strlen(argv[i]) + strlen(e->d_name) + 2;
                names[n] = malloc(l);
                snprintf(names[n++], l, "%s/%s", argv[i], e->d_name);
            }
            if (d)
                closedir(d);
            qsort(names, n, sizeof *names, cmp);
            for (size_t k = 0; k < n; k++) {
                bad += run_file(names[k]);
                runs++;
                free(names[k]);
            }
            free(names);
        } else {
            bad += run_file(argv[i]);
            runs++;
        }
    }
    printf("%s: %d inputs run, %d unreadable\n", argv[0], runs, bad);
    return bad || runs == 0;
}
