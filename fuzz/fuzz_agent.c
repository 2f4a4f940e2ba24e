/* fuzz_agent.c - the board side of the agent protocol (targets/agent/agent.c and the
 * line reader, checksums and base64 of eb_proto.c): the input is what arrives on the
 * serial line ('!' lines are sealed first, see fuzz_util.h), replies go to /dev/null.
 * Uploads (upload / chunk / commit) land in a temporary folder that is emptied after
 * every input. The backend is a stand-in (no model is built): the protocol is the
 * subject here, the .ebm loader has its own target. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eb_agent.h"
#include "eb_dispatch.h"
#include "fuzz_util.h"

static char dir[64];
static int devnull = -1;
static int tiny_model;

static void list(void *self, void (*emit)(void *, const char *), void *user)
{
    (void)self;
    emit(user, "tiny_int8");
    emit(user, "tiny_fp32");
}

static eb_status open_model(void *self, const char *name, const char *kernels, int threads,
                            eb_agent_model_info *info, void **model, char *err, size_t errlen)
{
    (void)self;
    eb_kset k;
    if (eb_kset_parse(kernels, &k) != EB_OK) {
        snprintf(err, errlen, "unknown kernel set '%s'", kernels);
        return EB_ERR_ARG;
    }
    if (strcmp(name, "tiny_int8") && strcmp(name, "tiny_fp32") && !strchr(name, '/')) {
        snprintf(err, errlen, "unknown model '%s'", name);
        return EB_ERR_ARG;
    }
    if (strchr(name, '/') && access(name, R_OK) != 0) {
        snprintf(err, errlen, "no model file '%s'", name);
        return EB_ERR_IO;
    }
    snprintf(info->name, sizeof info->name, "%s", strrchr(name, '/') ? strrchr(name, '/') + 1
                                                                      : name);
    snprintf(info->arch, sizeof info->arch, "tiny");
    snprintf(info->variant, sizeof info->variant, "int8");
    info->macs = 1000;
    info->threads = threads;
    info->n_kernels = 1;
    snprintf(info->kernels[0].op, sizeof info->kernels[0].op, "fc_s8");
    snprintf(info->kernels[0].name, sizeof info->kernels[0].name, "eb_fc_s8_ref");
    *model = &tiny_model;
    return EB_OK;
}

static void infer(void *model) { (void)model; }
static void close_model(void *model) { (void)model; }

static const eb_agent_backend backend = {NULL, list, open_model, infer, close_model, NULL};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_tmpdir(dir, sizeof dir, "agent");
    /* EB_FUZZ_DEBUG=1: the agent's replies go to stderr (to check what the seeds reach) */
    devnull = getenv("EB_FUZZ_DEBUG") ? dup(2) : open("/dev/null", O_WRONLY | O_CLOEXEC);
    return 0;
}

static void empty_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[400];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    char *text;
    size_t len = fz_seal_lines(data, size, &text);
    if (!text)
        return 0;
    int fd = fz_fd(text, len);
    free(text);
    if (fd < 0)
        return 0;
    eb_agent_config cfg = {&backend, dir, 1000, 0};
    eb_agent *a = eb_agent_new(&cfg);
    if (a) {
        if (eb_agent_serve(a, fd, devnull) != EB_OK)
            __builtin_trap(); /* end of input is the only way out */
        eb_agent_free(a);
    }
    close(fd);
    empty_dir();
    return 0;
}
