/* The container's namespaces and mounts, made by ordinal-init itself (setup.c). */
#ifndef ORDINAL_SETUP_H
#define ORDINAL_SETUP_H

/*
 * Makes fresh mount, UTS, IPC and PID namespaces, forks into the PID
 * namespace (the calling process waits for the child and ends as it ends),
 * and in the child, now PID 1: mounts everything FSTAB lists, sets HOSTNAME
 * and writes the child's host pid to PIDFILE. Returns in the child only.
 */
void container_setup(const char *fstab, const char *hostname, const char *pidfile);

/* Prints "ordinal-init: WHAT ARG: <errno's text>" and exits with STATUS. */
void init_fail(int status, const char *what, const char *arg) __attribute__((noreturn));

#endif
