/* eb_deploy.h - putting edgebench-agent on a board: finding the build that matches the
 * target's architecture, checking what a binary is built for (ELF header), and copying
 * it over SSH to where runs find it. */
#ifndef EB_DEPLOY_H
#define EB_DEPLOY_H

#include <stdbool.h>
#include <stddef.h>

#include "eb_status.h"
#include "eb_target.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    char arch[16];  /* "aarch64", "armhf", "x86_64", "other" */
    bool is_static; /* no program interpreter: runs without the board's C library */
} eb_elf_info;

/* Reads the ELF header and program headers of path (bounded). EB_ERR_FORMAT when it is
 * not an ELF executable. */
eb_status eb_elf_inspect(const char *path, eb_elf_info *out, char *err, size_t errlen);

/* The agent binary for t: explicit (--agent) if given, else the first executable of
 * build-<arch>/targets/agent/edgebench-agent and the target file's emulation agent,
 * relative to the current folder and to the source tree. On failure err says how to
 * build one. */
eb_status eb_deploy_find_agent(const eb_target *t, const char *explicit_path, char *path,
                               size_t cap, char *err, size_t errlen);

/* Where deploy puts the agent on the board: the target's agent_path when it is a path,
 * else ~/.local/bin/edgebench-agent (the folder SSH runs look in first). */
void eb_deploy_destination(const eb_target *t, char *buf, size_t cap);

/* Copies agent to the board over ssh (atomically: a .part file renamed), and gives the
 * absolute path it landed at. */
eb_status eb_deploy_ssh(const eb_target *t, const char *host, const char *agent,
                        char *where, size_t wherecap, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
