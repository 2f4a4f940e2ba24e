/* main.c - edgebench entry point: global options and subcommand dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: edgebench [--help] [--version] <command> [options]\n\n"
               "Benchmarks and profiles ML inference kernels and models on the host or on\n"
               "boards reached through an agent (serial line, serial server, SSH, LAVA lab).\n\ncommands:\n");
    for (size_t i = 0; eb_commands[i]; i++)
        fprintf(f, "  %-10s %s\n", eb_commands[i]->name, eb_commands[i]->summary);
    fprintf(f, "\n'edgebench <command> --help' describes a command's options.\n"
               "Exit status: 0 ok, 1 a regression gate failed, 2 usage or input error.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EB_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return EB_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("edgebench %s (git %s, %s build, %s)\n", eb_version(), eb_git_revision(),
               eb_build_type(), eb_compiler());
        return EB_EXIT_OK;
    }
    for (size_t i = 0; eb_commands[i]; i++)
        if (!strcmp(argv[1], eb_commands[i]->name))
            return eb_commands[i]->main(argc - 1, argv + 1);
    eb_error("unknown command '%s'; run 'edgebench --help' for the list of commands",
             argv[1]);
    return EB_EXIT_USAGE;
}
