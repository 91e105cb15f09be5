// Thin C shim for what Glibc does not export to Swift (variadic calls such as
// prctl/ioctl, raw syscalls such as pivot_root/clone, CMSG macros) and for the
// one thing that must not run Swift at all: the child side of clone/fork,
// which only makes async-signal-safe calls before execve.
#ifndef CMINIPOD_H
#define CMINIPOD_H

#include <sys/types.h>
#include <stdint.h>

extern const unsigned long MP_CLONE_NEWNS, MP_CLONE_NEWPID, MP_CLONE_NEWNET, MP_CLONE_NEWUTS,
    MP_CLONE_NEWIPC, MP_CLONE_NEWCGROUP, MP_CLONE_NEWUSER, MP_CLONE_NEWTIME;
extern const unsigned long MP_MS_RDONLY, MP_MS_NOSUID, MP_MS_NODEV, MP_MS_NOEXEC, MP_MS_REMOUNT,
    MP_MS_BIND, MP_MS_REC, MP_MS_PRIVATE, MP_MS_SLAVE, MP_MS_SHARED, MP_MS_STRICTATIME,
    MP_MS_RELATIME, MP_MS_NOATIME, MP_MS_NODIRATIME, MP_MS_UNBINDABLE, MP_MS_MOVE;
/* statvfs f_flag bits (GNU names Swift does not see). */
extern const unsigned long MP_ST_RDONLY, MP_ST_NOSUID, MP_ST_NODEV, MP_ST_NOEXEC, MP_ST_NOATIME, MP_ST_NODIRATIME, MP_ST_RELATIME;
/* open(2) flag hidden behind _GNU_SOURCE from Swift's Glibc module. */
extern const int MP_O_PATH;
extern const int MP_MNT_DETACH, MP_MNT_FORCE, MP_UMOUNT_NOFOLLOW;
/* openat2(2)'s resolve flags; Glibc has no wrapper for the call. */
extern const unsigned long long MP_RESOLVE_BENEATH, MP_RESOLVE_IN_ROOT, MP_RESOLVE_NO_MAGICLINKS,
    MP_RESOLVE_NO_SYMLINKS, MP_RESOLVE_NO_XDEV;

int mp_pivot_root(const char *new_root, const char *put_old);
int mp_unshare(int flags);
int mp_setns(int fd, int nstype);
int mp_mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data);
int mp_umount2(const char *target, int flags);
/// mallopt(M_ARENA_MAX, n): malloc.h is not in Swift's Glibc module.
int mp_malloc_arena_max(int n);
/// malloc_trim(0): gives the heap's free pages back to the kernel.
int mp_malloc_trim(void);
int mp_openat2(int dirfd, const char *path, int flags, unsigned int mode, unsigned long long resolve);
int mp_sethostname(const char *name, size_t len);
int mp_close_range_from(unsigned int first);
int mp_set_no_new_privs(void);
/* Loads a classic BPF program (an array of struct sock_filter) as a seccomp filter. */
int mp_seccomp_load(const void *program, size_t bytes, unsigned int flags);
/* An anonymous in-memory file (memfd_create), close-on-exec. */
int mp_memfd(const char *name);
int mp_set_dumpable(int on);
int mp_set_pdeathsig(int sig);
int mp_set_child_subreaper(void);
int mp_set_keepcaps(int on);
int mp_set_ctty(int fd);
int mp_get_winsize(int fd, unsigned short *rows, unsigned short *cols);
int mp_set_winsize(int fd, unsigned short rows, unsigned short cols);
pid_t mp_fork(void);
/// From now on `signals` received by this process are sent on to `pid` (async-signal-safe handlers).
int mp_forward_signals(pid_t pid, const int *signals, int count);
/// fork() whose parent passes `signals` on to the child from then on (runc exec does):
/// they are blocked around the fork, so none is lost or kills the parent before the
/// handlers are in place; the child gets the caller's signal mask back.
pid_t mp_fork_forwarding(const int *signals, int count);
/// Sets lo up in the calling process's network namespace (a new one has it down).
int mp_loopback_up(void);
/// makedev(3), major(3) and minor(3): macros Swift cannot call.
unsigned long mp_makedev(unsigned int major, unsigned int minor);
unsigned int mp_major(unsigned long dev);
unsigned int mp_minor(unsigned long dev);
int mp_pipe2(int *fds, int cloexec);
/// Installs handlers that write the signal number as one byte to fd (self-pipe), for SIGTERM, SIGINT, SIGCHLD, SIGHUP.
int mp_signal_pipe(int fd);
/// Adds one more signal to the self-pipe set up by mp_signal_pipe.
int mp_signal_pipe_add(int sig);
int mp_setxattr(const char *path, const char *name, const char *value, size_t len);
/// fsetxattr(2) on an open fd (a directory reached by openat on a raw name).
int mp_fsetxattr(int fd, const char *name, const char *value, size_t len);
/// lgetxattr(2): the value's length, or -1 with errno (ENODATA when absent). Glibc's Swift module lacks sys/xattr.h.
ssize_t mp_getxattr(const char *path, const char *name, void *value, size_t size);
/// splice(2) between an fd and a pipe, moving data without copying it through user space.
ssize_t mp_splice(int fd_in, int fd_out, size_t len);
/* F_SETPIPE_SZ: the pipe's capacity in bytes (rounded up by the kernel); returns it or -1. */
int mp_set_pipe_size(int fd, int bytes);
/* Resident file-backed bytes of this process (statm's third field), -1 on error. */
long mp_resident_file_bytes(void);
/// unlockpt + ptsname_r: the path of the pty peer of `master`.
int mp_pty_peer_name(int master, char *name, size_t len);
int mp_send_fd(int sock, int fd, const void *data, size_t len);
/// Returns the received fd or -1; data (up to len) is copied to buf and *got set.
int mp_recv_fd(int sock, void *buf, size_t len, ssize_t *got);
int mp_wait_exited(int status);
int mp_wait_exitstatus(int status);
int mp_wait_signaled(int status);
int mp_wait_termsig(int status);

/// How to start a process. Runs no Swift in the child.
struct mp_spawn_attr {
    const char *path;
    char *const *argv;
    char *const *envp;
    int stdin_fd, stdout_fd, stderr_fd;  // -1: /dev/null
    const int *extra_fds;                // become fds 3, 4, ... in the child
    int n_extra_fds;
    unsigned long clone_flags;           // CLONE_NEW* for the new process
    int new_session;                     // setsid() in the child
    int pdeathsig;                       // 0: none
    const char *cwd;                     // NULL: "/"
    const int *join_fds;                 // namespaces joined with setns before execve, in order
    const int *join_types;               // CLONE_NEW* of each join_fds entry
    int n_joins;
    int exec_fd;                         // >= 0: execveat(exec_fd, "") instead of execve(path)
    const char *uid_map, *gid_map;       // with CLONE_NEWUSER: written by the parent before the child goes on
};

/// Steps of mp_spawn that can fail, reported in *failed_step (0..n_joins-1: that join).
enum {
    MP_STEP_SPAWN = -1,       // clone, pipes, fd set-up, execve
    MP_STEP_USERNS = -2,      // unshare(CLONE_NEWUSER) or becoming root in it
    MP_STEP_ID_MAPS = -3,     // writing uid_map / gid_map
    MP_STEP_UNSHARE = -4,     // unshare of the mount / pid namespaces after the user namespace
};

/// clone()+execve(). Returns the child's pid, or -1 with *err set to the errno
/// of the failed step (the child reports through a CLOEXEC pipe) and *failed_step.
/// Joining a pid namespace or making a user namespace takes two stages (runc's
/// nsexec pattern): a first child joins, makes the user namespace (the parent
/// writes its id maps) and the others, then clones the process that execs with
/// CLONE_PARENT, so it is our child and the first one exits.
pid_t mp_spawn(const struct mp_spawn_attr *attr, int *err, int *failed_step);

/// Forks a child that unshares `flags` (sets the hostname in a new UTS
/// namespace, brings lo up in a new network namespace), then waits until *release_fd is closed. The caller bind-mounts
/// /proc/<pid>/ns/* to keep the namespaces, closes release_fd and reaps the child.
/// With CLONE_NEWUSER the user namespace comes first and we write uid_map/gid_map
/// before the child makes the others, so they are owned by it (sysfs, net sysctls).
pid_t mp_fork_ns_holder(int flags, const char *hostname, const char *uid_map, const char *gid_map, int *release_fd, int *err);

/* The new mount API (Linux 5.2+, ID-mapped mounts 5.12+, overlay layers by fd 6.13+): Glibc 2.36
 * has no wrappers. Each returns an fd or 0, or -1 with errno. */
/// open_tree(path, OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC): a detached copy of the mount at path.
int mp_open_tree_clone(const char *path);
/// mount_setattr(fd, "", AT_EMPTY_PATH) with MOUNT_ATTR_IDMAP through the user namespace userns_fd.
int mp_mount_set_idmap(int mount_fd, int userns_fd);
int mp_fsopen(const char *fstype);
int mp_fsconfig_string(int fs_fd, const char *key, const char *value);
int mp_fsconfig_fd(int fs_fd, const char *key, int fd);
int mp_fsconfig_create(int fs_fd);
/// fsmount(fs_fd, FSMOUNT_CLOEXEC): the detached mount of a created superblock.
int mp_fsmount(int fs_fd);
/// move_mount(mount_fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH): attaches a detached mount.
int mp_move_mount_to(int mount_fd, const char *target);

/* rtnetlink for the built-in pod network (netlink.c); each returns 0 or -1 with errno. */
int mp_nl_open(void);
int mp_nl_open_in(int netns_fd);
/// A socket (any domain) created in the network namespace netns_fd; the calling thread stays in its own.
int mp_socket_in(int netns_fd, int domain, int type, int protocol);
int mp_nl_bridge_add(int sock, const char *name);
int mp_nl_veth_add(int sock, const char *name, const char *peer, int peer_netns_fd);
int mp_nl_link_up(int sock, int ifindex, int master);
int mp_nl_link_del(int sock, int ifindex);
int mp_nl_link_index(int sock, const char *name);
int mp_nl_addr_add(int sock, int ifindex, const unsigned char address[4], int prefix);
int mp_nl_default_route_add(int sock, const unsigned char gateway[4], int ifindex);
/// Gives the routes of table local that have no metrics of their own (every IPv4 one, and
/// IPv6's ::1) the congestion-control metric `algorithm` (`ip route replace ... congctl`).
/// Returns the number of routes changed, or -1.
int mp_nl_local_routes_congctl(int sock, const char *algorithm);

/// Loads a BPF_PROG_TYPE_CGROUP_DEVICE program (`count` struct bpf_insn) and attaches it to
/// the cgroup directory fd with BPF_F_ALLOW_MULTI, detaching the programs attached there
/// before. Returns 0, or -1 with errno set; a verifier rejection leaves its log in `log`.
int mp_cgroup_device_filter(int cgroup_fd, const void *insns, unsigned int count, char *log, size_t log_size);

#endif
