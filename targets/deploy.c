/* deploy.c - edgebench-agent onto a board (eb_deploy.h). */
#include "eb_deploy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eb_conn.h"

static uint32_t rd16(const unsigned char *p, bool le)
{
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 : (uint32_t)p[0] << 8 | p[1];
}

static uint32_t rd32(const unsigned char *p, bool le)
{
    return le ? rd16(p, le) | rd16(p + 2, le) << 16 : rd16(p, le) << 16 | rd16(p + 2, le);
}

static uint64_t rd64(const unsigned char *p, bool le)
{
    return le ? rd32(p, le) | (uint64_t)rd32(p + 4, le) << 32
              : (uint64_t)rd32(p, le) << 32 | rd32(p + 4, le);
}

eb_status eb_elf_inspect(const char *path, eb_elf_info *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return EB_ERR_IO;
    }
    unsigned char h[64];
    ssize_t n = pread(fd, h, sizeof h, 0);
    if (n < 52 || memcmp(h, "\177ELF", 4) || (h[4] != 1 && h[4] != 2) ||
        (h[5] != 1 && h[5] != 2) || (h[4] == 2 && n < 64)) {
        close(fd);
        snprintf(err, errlen, "%s is not an ELF executable", path);
        return EB_ERR_FORMAT;
    }
    bool is64 = h[4] == 2, le = h[5] == 1;
    uint32_t machine = rd16(h + 18, le);
    snprintf(out->arch, sizeof out->arch, "%s",
             machine == 183 ? "aarch64" : machine == 40 ? "armhf" : machine == 62 ? "x86_64"
                                                                              : "other");
    uint64_t phoff = is64 ? rd64(h + 32, le) : rd32(h + 28, le);
    uint32_t phentsize = rd16(h + (is64 ? 54 : 42), le), phnum = rd16(h + (is64 ? 56 : 44), le);
    out->is_static = true;
    if (phentsize < (is64 ? 56u : 32u) || phnum > 256)
        phnum = 0;
    for (uint32_t i = 0; i < phnum; i++) {
        unsigned char ph[4];
        if (pread(fd, ph, 4, (off_t)(phoff + (uint64_t)i * phentsize)) != 4)
            break;
        if (rd32(ph, le) == 3) /* PT_INTERP: a dynamic loader is needed */
            out->is_static = false;
    }
    close(fd);
    return EB_OK;
}

static bool executable(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

eb_status eb_deploy_find_agent(const eb_target *t, const char *explicit_path, char *path,
                               size_t cap, char *err, size_t errlen)
{
    if (explicit_path) {
        if (!executable(explicit_path)) {
            snprintf(err, errlen, "--agent %s is not an executable file", explicit_path);
            return EB_ERR_ARG;
        }
        snprintf(path, cap, "%s", explicit_path);
        return EB_OK;
    }
    char build[96];
    snprintf(build, sizeof build, "build-%s/targets/agent/edgebench-agent", t->desc.arch);
    const char *rel[2] = {build, t->agent};
    for (int i = 0; i < 2; i++) {
        if (!rel[i][0])
            continue;
        char cand[1024];
        snprintf(cand, sizeof cand, "%s", rel[i]);
        if (executable(cand)) {
            snprintf(path, cap, "%s", cand);
            return EB_OK;
        }
#ifdef EB_SOURCE_DIR
        snprintf(cand, sizeof cand, "%s/%s", EB_SOURCE_DIR, rel[i]);
        if (executable(cand)) {
            snprintf(path, cap, "%s", cand);
            return EB_OK;
        }
#endif
    }
    const char *tc = !strcmp(t->desc.arch, "armhf") ? "armhf" : "aarch64";
    snprintf(err, errlen, "no %s build of edgebench-agent found (looked for %s); build it "
             "with 'scripts/build.sh build-%s -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-%s.cmake' "
             "or pass --agent PATH", t->desc.arch, build, t->desc.arch, tc);
    return EB_ERR_ARG;
}

void eb_deploy_destination(const eb_target *t, char *buf, size_t cap)
{
    if (strchr(t->agent_path, '/'))
        snprintf(buf, cap, "%s", t->agent_path);
    else
        snprintf(buf, cap, "~/.local/bin/%s", t->agent_path[0] ? t->agent_path
                                                                : "edgebench-agent");
}

eb_status eb_deploy_ssh(const eb_target *t, const char *host, const char *agent,
                        char *where, size_t wherecap, char *err, size_t errlen)
{
    char dest[300], dir[300];
    eb_deploy_destination(t, dest, sizeof dest);
    snprintf(dir, sizeof dir, "%s", dest);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    const char *base = strrchr(dest, '/') ? strrchr(dest, '/') + 1 : dest;
    /* the board's shell expands ~; the new file replaces the old one in one rename, so a
     * run never starts a half-copied agent */
    char remote[3000];
    snprintf(remote, sizeof remote,
             "mkdir -p %s && cat > %s.part && chmod 755 %s.part && mv -f %s.part %s && "
             "echo \"deployed $(wc -c < %s) $(cd %s && pwd)/%s\"",
             dir, dest, dest, dest, dest, dest, dir, base);
    int fd = open(agent, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot read %s: %s", agent, strerror(errno));
        return EB_ERR_IO;
    }
    struct stat st;
    fstat(fd, &st);
    char out[4096];
    int code = -1;
    eb_status s = eb_ssh_run(t, host, remote, fd, 300, out, sizeof out, &code, err, errlen);
    close(fd);
    if (s != EB_OK)
        return s;
    const char *line = strstr(out, "deployed ");
    unsigned long long size = 0;
    char path[600] = "";
    if (code != 0 || !line || sscanf(line, "deployed %llu %599[^\n]", &size, path) != 2) {
        if (code == 255) { /* ssh's own failures read as they do for runs */
            eb_ssh_explain(out, code, host, eb_target_ref(t), err, errlen);
        } else {
            char *e = out + strlen(out);
            while (e > out && (e[-1] == '\n' || e[-1] == '\r'))
                *--e = '\0';
            const char *last = strrchr(out, '\n') ? strrchr(out, '\n') + 1 : out;
            snprintf(err, errlen, "copying the agent to %s:%s failed (exit %d: %s)", host,
                     dest, code, last);
        }
        return EB_ERR_IO;
    }
    if (size != (unsigned long long)st.st_size) {
        snprintf(err, errlen, "the copy on %s has %llu bytes, %s has %lld", host, size, agent,
                 (long long)st.st_size);
        return EB_ERR_IO;
    }
    snprintf(where, wherecap, "%s", path);
    return EB_OK;
}
