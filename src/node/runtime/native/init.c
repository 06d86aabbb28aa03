/*
 * ordinal-init: the first process of a container of the linux runtime, and
 * the way into a running one for kubectl exec and exec probes. It stands
 * where containerd's shim and runc's init stand for a real node, and needs
 * nothing inside the container's filesystem: an image without /bin/sh
 * (distroless, scratch) runs as well as any other.
 *
 *   ordinal-init start FSTAB HOSTNAME PIDFILE [OPTIONS] ROOT EXITFILE WORKDIR ARGV...
 *   ordinal-init run  [OPTIONS] ROOT EXITFILE WORKDIR ARGV...
 *   ordinal-init exec [OPTIONS] ROOT WORKDIR ARGV...
 *   OPTIONS: -u UID -g GID -G G1,G2,...  the credentials
 *            -c HEXMASK                  the capabilities (bounding set; and
 *                                        effective and permitted while root)
 *            -n                          no_new_privs
 *
 * Both change root to ROOT, limit the capabilities, take the credentials
 * (supplementary groups, group, user: in that order, as only root may set
 * groups; a non-root user keeps no capability, as with runc), set
 * no_new_privs when asked (allowPrivilegeEscalation: false) and go to
 * WORKDIR. `start` first makes the container's namespaces and mounts
 * (setup.c) and then goes on as `run` as PID 1 of the new PID namespace.
 * `exec` executes ARGV (found on the PATH of the environment,
 * inside ROOT). `run` starts ARGV as its child and stays PID 1 of the
 * container's PID namespace:
 *  - TERM, INT, HUP, QUIT, USR1, USR2 and WINCH are forwarded to the command
 *    (a PID 1 without handlers would never see them);
 *  - every orphan of the namespace is reaped, as an init must;
 *  - when the command ends, its status goes to EXITFILE (opened before the
 *    root changes; 128 + signal when a signal ended it, as container
 *    runtimes report) and becomes init's own exit status. The namespace ends
 *    with its PID 1, taking any other process in it along.
 * The command shares init's process group, so the node agent can kill the
 * whole container at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "setup.h"

#define MAX_GROUPS 256

/* 128: what a container whose command could not be started ends with. */
static void die(const char *what, const char *arg) {
  init_fail(128, what, arg);
}

static void usage(void) {
  fprintf(stderr, "usage: ordinal-init start FSTAB HOSTNAME PIDFILE [-u UID -g GID -G GROUPS] [-c CAPS] [-n] ROOT EXITFILE WORKDIR ARGV...\n"
                  "       ordinal-init run [-u UID -g GID -G GROUPS] [-c CAPS] [-n] ROOT EXITFILE WORKDIR ARGV...\n"
                  "       ordinal-init exec [-u UID -g GID -G GROUPS] [-c CAPS] [-n] ROOT WORKDIR ARGV...\n");
  exit(128);
}

static long number(const char *s) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || end == s || v < 0 || v > 4294967294L) usage();
  return v;
}

struct creds {
  int set;
  int caps_set;
  uint64_t caps;
  int no_new_privs;
  uid_t uid;
  gid_t gid;
  size_t ngroups;
  gid_t groups[MAX_GROUPS];
};

static void parse_groups(struct creds *c, char *list) {
  for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
    if (c->ngroups == MAX_GROUPS) usage();
    c->groups[c->ngroups++] = (gid_t)number(tok);
  }
}

/* Changes root, then credentials, then the working directory (as the user, who must be allowed there). */
static void enter(const char *root, const struct creds *c, const char *workdir, int strict_workdir) {
  if (chroot(root) != 0) die("chroot", root);
  if (chdir("/") != 0) die("chdir", "/");
  if (c->caps_set) {
    /* Capabilities past the kernel's last one give EINVAL: nothing to drop there. */
    for (int cap = 0; cap < 64; cap++) {
      if ((c->caps >> cap) & 1) continue;
      if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) die("dropping a capability", NULL);
    }
  }
  if (c->set) {
    if (setgroups(c->ngroups, c->groups) != 0) die("setgroups", NULL);
    if (setgid(c->gid) != 0) die("setgid", NULL);
    if (setuid(c->uid) != 0) die("setuid", NULL);
  }
  if (c->caps_set && getuid() == 0) {
    /* Still root: effective and permitted become the container's set; nothing is inheritable. */
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    for (int i = 0; i < 2; i++) data[i].effective = data[i].permitted = (uint32_t)(c->caps >> (32 * i));
    if (syscall(SYS_capset, &hdr, data) != 0) die("capset", NULL);
  }
  if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("no_new_privs", NULL);
  if (chdir(workdir) != 0) {
    if (strict_workdir) die("chdir", workdir);
    if (chdir("/") != 0) die("chdir", "/");
  }
}

static void execute(char **argv) {
  execvp(argv[0], argv);
  int code = errno == ENOENT ? 127 : 126;
  fprintf(stderr, "exec: \"%s\": %s\n", argv[0], errno == ENOENT ? "executable file not found in $PATH" : strerror(errno));
  exit(code);
}

/* A copy of a NULL-terminated argv, for what must outlive retitle(). */
static char **copy_args(char **args) {
  size_t n = 0;
  while (args[n]) n++;
  char **out = calloc(n + 1, sizeof *out);
  if (!out) die("calloc", NULL);
  for (size_t k = 0; k < n; k++) {
    out[k] = strdup(args[k]);
    if (!out[k]) die("strdup", NULL);
  }
  return out;
}

/*
 * Shows PID 1 in the container's ps as plain "ordinal-init": its arguments
 * name host paths that mean nothing inside. The kernel reads a process's
 * command line from its argument area, which is rewritten in place.
 */
static void retitle(int argc, char **argv) {
  char *start = argv[0], *end = argv[argc - 1] + strlen(argv[argc - 1]);
  memset(start, 0, (size_t)(end - start));
  strncpy(start, "ordinal-init", (size_t)(end - start));
  prctl(PR_SET_NAME, "ordinal-init", 0, 0, 0);
}

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
#define NFORWARDED (sizeof forwarded / sizeof forwarded[0])

static int run(char **argv, int exitfd) {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  for (size_t i = 0; i < NFORWARDED; i++) sigaddset(&set, forwarded[i]);
  /* Blocked before the fork: a signal that arrives before the child exists waits and is forwarded then. */
  if (sigprocmask(SIG_BLOCK, &set, &old) != 0) die("sigprocmask", NULL);
  pid_t child = fork();
  if (child < 0) die("fork", NULL);
  if (child == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(exitfd);
    execute(argv);
  }
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&set, &info);
    if (sig < 0) {
      if (errno == EINTR) continue;
      die("sigwaitinfo", NULL);
    }
    if (sig != SIGCHLD) {
      kill(child, sig);
      continue;
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid != child) continue;
      int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 128;
      char buf[16];
      int n = snprintf(buf, sizeof buf, "%d\n", code);
      if (write(exitfd, buf, (size_t)n) != n) die("write", "exit status");
      close(exitfd);
      return code;
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 2) usage();
  int is_start = strcmp(argv[1], "start") == 0;
  int is_run = is_start || strcmp(argv[1], "run") == 0;
  if (!is_run && strcmp(argv[1], "exec") != 0) usage();
  struct creds c = {0};
  int i = 2;
  if (is_start) {
    if (argc < 5) usage();
    /* From here on this is the container's PID 1, its namespaces and mounts in place. */
    container_setup(argv[2], argv[3], argv[4]);
    i = 5;
  }
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "-n") == 0) {
      c.no_new_privs = 1;
      continue;
    }
    if (i + 1 >= argc) usage();
    const char *v = argv[++i];
    if (strcmp(argv[i - 1], "-c") == 0) {
      char *end;
      errno = 0;
      c.caps = strtoull(v, &end, 16);
      if (errno || *end || end == v) usage();
      c.caps_set = 1;
      continue;
    }
    if (strcmp(argv[i - 1], "-u") == 0) c.uid = (uid_t)number(v);
    else if (strcmp(argv[i - 1], "-g") == 0) c.gid = (gid_t)number(v);
    else if (strcmp(argv[i - 1], "-G") == 0) parse_groups(&c, (char *)v);
    else usage();
    c.set = 1;
  }
  if (is_run) {
    if (argc - i < 4) usage();
    const char *root = argv[i], *exitfile = argv[i + 1], *workdir = argv[i + 2];
    int exitfd = open(exitfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (exitfd < 0) die("open", exitfile);
    enter(root, &c, workdir, 1);
    char **command = copy_args(argv + i + 3);
    retitle(argc, argv);
    return run(command, exitfd);
  }
  if (argc - i < 3) usage();
  enter(argv[i], &c, argv[i + 1], 0);
  execute(argv + i + 2);
  return 127;
}
