/*
 * What `unshare --mount --uts --ipc --pid --fork --propagation private`
 * followed by `mount --all --fstab FILE` and setting the hostname did for a
 * container of the linux runtime, in one process: three programs less to
 * start per container (each exec costs milliseconds on a small machine).
 *
 * The fstab is the one runtime/shim.ts writes (containerFstab): fields
 * octal-escaped as fstab(5) has them; options among ro, bind, rbind, nosuid,
 * nodev, noexec, everything else passed to the filesystem as data (overlay's
 * lowerdir=..., tmpfs's mode=...). A read-only bind is remounted read-only
 * after the bind, as mount(8) does.
 */
#define _GNU_SOURCE
#include "setup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

void init_fail(int status, const char *what, const char *arg) {
  fprintf(stderr, "ordinal-init: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "", strerror(errno));
  exit(status);
}

/* A setup step failed: the container never started. */
static void fail(const char *what, const char *arg) {
  init_fail(1, what, arg);
}

/* Undoes fstab(5)'s octal escapes (\040 for a space) in place. */
static void unescape(char *s) {
  char *out = s;
  for (char *p = s; *p; p++) {
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
      *out++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
      p += 3;
    } else {
      *out++ = *p;
    }
  }
  *out = 0;
}

static void mount_line(char *line) {
  char *fields[4];
  char *save = NULL;
  int n = 0;
  for (char *tok = strtok_r(line, " \t\n", &save); tok && n < 4; tok = strtok_r(NULL, " \t\n", &save)) fields[n++] = tok;
  if (n == 0 || fields[0][0] == '#') return;
  if (n < 4) {
    errno = EINVAL;
    fail("fstab line", fields[0]);
  }
  for (int i = 0; i < 4; i++) unescape(fields[i]);
  const char *source = fields[0], *target = fields[1], *type = fields[2];
  unsigned long flags = 0;
  int readonly = 0;
  char data[PATH_MAX * 4] = "";
  size_t used = 0;
  char *osave = NULL;
  for (char *opt = strtok_r(fields[3], ",", &osave); opt; opt = strtok_r(NULL, ",", &osave)) {
    if (strcmp(opt, "ro") == 0) readonly = 1;
    else if (strcmp(opt, "bind") == 0) flags |= MS_BIND;
    else if (strcmp(opt, "rbind") == 0) flags |= MS_BIND | MS_REC;
    else if (strcmp(opt, "nosuid") == 0) flags |= MS_NOSUID;
    else if (strcmp(opt, "nodev") == 0) flags |= MS_NODEV;
    else if (strcmp(opt, "noexec") == 0) flags |= MS_NOEXEC;
    else if (strcmp(opt, "defaults") != 0) {
      /* Overlay escapes commas in its paths with a backslash: such a comma belongs to the option. */
      while (opt[strlen(opt) - 1] == '\\' && osave && *osave) {
        opt[strlen(opt)] = ',';
        strtok_r(NULL, ",", &osave);
      }
      size_t len = strlen(opt);
      if (used + len + 2 > sizeof data) {
        errno = E2BIG;
        fail("mount options of", target);
      }
      if (used) data[used++] = ',';
      memcpy(data + used, opt, len + 1);
      used += len;
    }
  }
  int bind = (flags & MS_BIND) != 0;
  if (!bind && readonly) flags |= MS_RDONLY;
  if (mount(source, target, bind ? NULL : type, flags, bind || !used ? NULL : data) != 0) fail("mount", target);
  if (bind && readonly && mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | (flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)), NULL) != 0) {
    fail("remount read-only", target);
  }
}

static void mount_all(const char *fstab) {
  FILE *f = fopen(fstab, "r");
  if (!f) fail("open", fstab);
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) mount_line(line);
  free(line);
  fclose(f);
}

void container_setup(const char *fstab, const char *hostname, const char *pidfile) {
  if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID) != 0) fail("unshare", NULL);
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail("making mounts private", NULL);
  pid_t child = fork();
  if (child < 0) fail("fork", NULL);
  if (child > 0) {
    /* Outside the PID namespace: end as the container's PID 1 ends, as unshare --fork does. */
    int status;
    while (waitpid(child, &status, 0) < 0) {
      if (errno != EINTR) fail("waitpid", NULL);
    }
    if (WIFSIGNALED(status)) {
      signal(WTERMSIG(status), SIG_DFL);
      kill(getpid(), WTERMSIG(status));
    }
    exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
  }
  mount_all(fstab);
  if (sethostname(hostname, strlen(hostname)) != 0) fail("sethostname", hostname);
  /* The host's /proc is still at /proc: /proc/self names this process by its host pid. */
  char self[32];
  ssize_t n = readlink("/proc/self", self, sizeof self - 1);
  if (n <= 0) fail("readlink", "/proc/self");
  self[n] = '\n';
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s.tmp", pidfile);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write(fd, self, (size_t)n + 1) != n + 1 || close(fd) != 0) fail("write", tmp);
  if (rename(tmp, pidfile) != 0) fail("rename", pidfile);
}
