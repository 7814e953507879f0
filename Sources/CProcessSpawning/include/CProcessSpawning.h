#ifndef C_PROCESS_SPAWNING_H
#define C_PROCESS_SPAWNING_H

// glibc's posix_spawn extensions, which Swift's Glibc module leaves out
// (they need _GNU_SOURCE). `actions` is a posix_spawn_file_actions_t *.

/// The child closes every descriptor from `lowest` up (glibc 2.34).
int process_spawning_add_close_from(void *actions, int lowest);

/// The child changes to `path` before exec (glibc 2.29).
int process_spawning_add_chdir(void *actions, const char *path);

#endif
