// cgroup v2 device rules: load a BPF_PROG_TYPE_CGROUP_DEVICE program and
// attach it to a cgroup (Glibc has no bpf(2) wrapper).
#include "cminipod.h"
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int mp_bpf(int cmd, union bpf_attr *attr) {
    return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int load_program(const void *insns, unsigned int count, char *log, size_t log_size) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (__u64)(uintptr_t)insns;
    attr.insn_cnt = count;
    attr.license = (__u64)(uintptr_t)"Apache";
    int fd = mp_bpf(BPF_PROG_LOAD, &attr);
    if (fd >= 0 || errno != EACCES || log == NULL || log_size == 0) return fd;
    // Rejected by the verifier: load again with a log so the caller can say why.
    attr.log_buf = (__u64)(uintptr_t)log;
    attr.log_size = (__u32)log_size;
    attr.log_level = 1;
    log[0] = 0;
    fd = mp_bpf(BPF_PROG_LOAD, &attr);
    if (fd >= 0) return fd;
    errno = EACCES;
    return -1;
}

int mp_cgroup_device_filter(int cgroup_fd, const void *insns, unsigned int count, char *log, size_t log_size) {
    // The programs attached now (by an earlier apply) are detached once the new one is in place,
    // so there is no moment without a filter.
    __u32 old_ids[64];
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.query.target_fd = (__u32)cgroup_fd;
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = (__u64)(uintptr_t)old_ids;
    attr.query.prog_cnt = 64;
    __u32 old_count = mp_bpf(BPF_PROG_QUERY, &attr) == 0 ? attr.query.prog_cnt : 0;
    if (old_count > 64) old_count = 64;

    int prog = load_program(insns, count, log, log_size);
    if (prog < 0) return -1;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (__u32)cgroup_fd;
    attr.attach_bpf_fd = (__u32)prog;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    if (mp_bpf(BPF_PROG_ATTACH, &attr) != 0) {
        int e = errno;
        close(prog);
        errno = e;
        return -1;
    }
    close(prog);  // the attachment holds its own reference
    for (__u32 i = 0; i < old_count; i++) {
        memset(&attr, 0, sizeof(attr));
        attr.prog_id = old_ids[i];
        int old = mp_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
        if (old < 0) continue;
        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (__u32)cgroup_fd;
        attr.attach_bpf_fd = (__u32)old;
        attr.attach_type = BPF_CGROUP_DEVICE;
        mp_bpf(BPF_PROG_DETACH, &attr);
        close(old);
    }
    return 0;
}
