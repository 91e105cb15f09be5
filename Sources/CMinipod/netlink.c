// rtnetlink requests for minipod's built-in pod network (`--network netlink`):
// what the CNI bridge plugin does for a pod, without starting any process.
// Written by hand because no netlink library is packaged for Swift here, and
// the handful of messages below is all the pod network needs.
#define _GNU_SOURCE
#include "cminipod.h"
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>

struct nl_request {
    struct nlmsghdr header;
    char data[1024];
};

static struct rtattr *nl_attr(struct nl_request *req, unsigned short type, const void *data, size_t len) {
    struct rtattr *attr = (struct rtattr *)((char *)&req->header + NLMSG_ALIGN(req->header.nlmsg_len));
    attr->rta_type = type;
    attr->rta_len = (unsigned short)RTA_LENGTH(len);
    if (len) memcpy(RTA_DATA(attr), data, len);
    req->header.nlmsg_len = NLMSG_ALIGN(req->header.nlmsg_len) + RTA_ALIGN(attr->rta_len);
    return attr;
}

static void nl_attr_end(struct nl_request *req, struct rtattr *nest) {
    nest->rta_len = (unsigned short)((char *)&req->header + req->header.nlmsg_len - (char *)nest);
}

/* Sends the request to the kernel under a new sequence number (its answers carry it): 0 or -1. */
static int nl_send(int sock, struct nl_request *req) {
    static _Atomic unsigned int seq;
    req->header.nlmsg_seq = ++seq;
    req->header.nlmsg_flags |= NLM_F_REQUEST;
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    return sendto(sock, req, req->header.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0 ? -1 : 0;
}

/* Reads the kernel's answers to the request numbered `seq`, handing each one that is
   not an error to `each` (NULL: none expected) until it says done (1) or failed (-1,
   errno set). An error answer ends it with -1 and errno from it; an ack with 0. */
static int nl_answers(int sock, unsigned seq, int (*each)(const struct nlmsghdr *, void *), void *context) {
    char reply[16384];
    for (;;) {
        ssize_t n = recv(sock, reply, sizeof reply, 0);
        if (n < 0) { if (errno == EINTR) continue; return -1; }
        for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_seq != seq) continue;
            if (h->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *err = NLMSG_DATA(h);
                if (err->error == 0) return 0;
                errno = -err->error;
                return -1;
            }
            int outcome = each ? each(h, context) : 0;
            if (outcome != 0) return outcome > 0 ? 0 : -1;
        }
    }
}

/* Sends the request and waits for the kernel's ack: 0, or -1 with errno set from it. */
static int nl_talk(int sock, struct nl_request *req) {
    req->header.nlmsg_flags |= NLM_F_ACK;
    if (nl_send(sock, req) < 0) return -1;
    return nl_answers(sock, req->header.nlmsg_seq, NULL, NULL);
}

static void nl_init(struct nl_request *req, unsigned short type, unsigned short flags, size_t header_len) {
    memset(req, 0, sizeof *req);
    req->header.nlmsg_len = (unsigned)NLMSG_LENGTH(header_len);
    req->header.nlmsg_type = type;
    req->header.nlmsg_flags = flags;
}

int mp_nl_open(void) {
    int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (sock < 0) return -1;
    struct sockaddr_nl local = { .nl_family = AF_NETLINK };
    if (bind(sock, (struct sockaddr *)&local, sizeof local) < 0) { int e = errno; close(sock); errno = e; return -1; }
    return sock;
}

/* A netlink socket living in another network namespace: the calling thread
   enters it just to create the socket (the socket keeps its namespace). */
int mp_socket_in(int netns_fd, int domain, int type, int protocol) {
    int original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (original < 0) return -1;
    if (setns(netns_fd, CLONE_NEWNET) < 0) { int e = errno; close(original); errno = e; return -1; }
    int sock = socket(domain, type | SOCK_CLOEXEC, protocol);
    int e = errno;
    /* Going back to our own namespace cannot fail; if it did, this thread would go on
       in the pod's network namespace, so stop rather than act there by mistake. */
    if (setns(original, CLONE_NEWNET) < 0) abort();
    close(original);
    errno = e;
    return sock;
}

int mp_nl_open_in(int netns_fd) {
    int sock = mp_socket_in(netns_fd, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    if (sock < 0) return -1;
    struct sockaddr_nl local = { .nl_family = AF_NETLINK };
    if (bind(sock, (struct sockaddr *)&local, sizeof local) < 0) { int e = errno; close(sock); errno = e; return -1; }
    return sock;
}

int mp_nl_bridge_add(int sock, const char *name) {
    struct nl_request req;
    nl_init(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct ifinfomsg));
    nl_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
    struct rtattr *info = nl_attr(&req, IFLA_LINKINFO, NULL, 0);
    nl_attr(&req, IFLA_INFO_KIND, "bridge", strlen("bridge"));
    nl_attr_end(&req, info);
    return nl_talk(sock, &req);
}

int mp_nl_veth_add(int sock, const char *name, const char *peer, int peer_netns_fd) {
    struct nl_request req;
    nl_init(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct ifinfomsg));
    nl_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
    struct rtattr *info = nl_attr(&req, IFLA_LINKINFO, NULL, 0);
    nl_attr(&req, IFLA_INFO_KIND, "veth", strlen("veth"));
    struct rtattr *data = nl_attr(&req, IFLA_INFO_DATA, NULL, 0);
    struct rtattr *peer_info = nl_attr(&req, VETH_INFO_PEER, NULL, 0);
    /* The peer's attributes follow an ifinfomsg of its own. */
    req.header.nlmsg_len += (unsigned)NLMSG_ALIGN(sizeof(struct ifinfomsg));
    nl_attr(&req, IFLA_IFNAME, peer, strlen(peer) + 1);
    nl_attr(&req, IFLA_NET_NS_FD, &peer_netns_fd, sizeof peer_netns_fd);
    nl_attr_end(&req, peer_info);
    nl_attr_end(&req, data);
    nl_attr_end(&req, info);
    return nl_talk(sock, &req);
}

/* Sets the link up, and (master > 0) makes it a port of that bridge. */
int mp_nl_link_up(int sock, int ifindex, int master) {
    struct nl_request req;
    nl_init(&req, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
    struct ifinfomsg *ifi = NLMSG_DATA(&req.header);
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = ifindex;
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    if (master > 0) nl_attr(&req, IFLA_MASTER, &master, sizeof master);
    return nl_talk(sock, &req);
}

int mp_nl_link_del(int sock, int ifindex) {
    struct nl_request req;
    nl_init(&req, RTM_DELLINK, 0, sizeof(struct ifinfomsg));
    struct ifinfomsg *ifi = NLMSG_DATA(&req.header);
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = ifindex;
    return nl_talk(sock, &req);
}

static int nl_link_found(const struct nlmsghdr *answer, void *ifindex) {
    if (answer->nlmsg_type != RTM_NEWLINK) return 0;
    *(int *)ifindex = ((struct ifinfomsg *)NLMSG_DATA(answer))->ifi_index;
    return 1;
}

/* ifindex of a link by name in the socket's namespace (if_nametoindex only sees the thread's). */
int mp_nl_link_index(int sock, const char *name) {
    struct nl_request req;
    nl_init(&req, RTM_GETLINK, 0, sizeof(struct ifinfomsg));
    nl_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
    if (nl_send(sock, &req) < 0) return -1;
    int ifindex = 0;
    if (nl_answers(sock, req.header.nlmsg_seq, nl_link_found, &ifindex) < 0) return -1;
    if (ifindex <= 0) { errno = ENODEV; return -1; }
    return ifindex;
}

int mp_nl_addr_add(int sock, int ifindex, const unsigned char address[4], int prefix) {
    struct nl_request req;
    nl_init(&req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct ifaddrmsg));
    struct ifaddrmsg *ifa = NLMSG_DATA(&req.header);
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = (unsigned char)prefix;
    ifa->ifa_index = (unsigned)ifindex;
    nl_attr(&req, IFA_LOCAL, address, 4);
    nl_attr(&req, IFA_ADDRESS, address, 4);
    return nl_talk(sock, &req);
}

int mp_nl_default_route_add(int sock, const unsigned char gateway[4], int ifindex) {
    struct nl_request req;
    nl_init(&req, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct rtmsg));
    struct rtmsg *rt = NLMSG_DATA(&req.header);
    rt->rtm_family = AF_INET;
    rt->rtm_table = RT_TABLE_MAIN;
    rt->rtm_protocol = RTPROT_BOOT;
    rt->rtm_scope = RT_SCOPE_UNIVERSE;
    rt->rtm_type = RTN_UNICAST;
    nl_attr(&req, RTA_GATEWAY, gateway, 4);
    nl_attr(&req, RTA_OIF, &ifindex, sizeof ifindex);
    return nl_talk(sock, &req);
}

struct local_routes {
    unsigned char family;
    char *out;
    size_t room, used;
};

/* One answer of the route dump: kept in `out` when it is a local route of the family without metrics. */
static int nl_local_route_found(const struct nlmsghdr *answer, void *context) {
    struct local_routes *routes = context;
    if (answer->nlmsg_type == NLMSG_DONE) return 1;
    if (answer->nlmsg_type != RTM_NEWROUTE) return 0;
    const struct rtmsg *rt = NLMSG_DATA(answer);
    unsigned table = rt->rtm_table;
    int has_metrics = 0;
    int len = (int)RTM_PAYLOAD(answer);
    for (struct rtattr *a = RTM_RTA((struct rtmsg *)rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == RTA_TABLE) table = *(unsigned *)RTA_DATA(a);
        if (a->rta_type == RTA_METRICS) has_metrics = 1;
    }
    /* A kernel without IPv6 answers an AF_INET6 dump with every family's routes. */
    if (rt->rtm_family != routes->family) return 0;
    if (rt->rtm_type != RTN_LOCAL || table != RT_TABLE_LOCAL || has_metrics) return 0;
    if (routes->used + NLMSG_ALIGN(answer->nlmsg_len) > routes->room) { errno = ENOBUFS; return -1; }
    memcpy(routes->out + routes->used, answer, answer->nlmsg_len);
    routes->used += NLMSG_ALIGN(answer->nlmsg_len);
    return 0;
}

/* Routes of table local (addresses of this namespace: traffic that never leaves
   it) of one family, without metrics of their own, copied whole into `out`
   (at most `room` bytes of netlink messages). Returns the bytes used, or -1. */
static ssize_t nl_local_routes(int sock, unsigned char family, char *out, size_t room) {
    struct nl_request req;
    nl_init(&req, RTM_GETROUTE, NLM_F_DUMP, sizeof(struct rtmsg));
    ((struct rtmsg *)NLMSG_DATA(&req.header))->rtm_family = family;
    if (nl_send(sock, &req) < 0) return -1;
    struct local_routes routes = { .family = family, .out = out, .room = room };
    if (nl_answers(sock, req.header.nlmsg_seq, nl_local_route_found, &routes) < 0) return -1;
    return (ssize_t)routes.used;
}

/* `route` (a dumped RTM_NEWROUTE) sent again as `type` with `flags`: with the
   congestion-control metric when `algorithm` is set, at `priority` when >= 0. */
static int nl_route_again(int sock, const struct nlmsghdr *route, unsigned short type, unsigned short flags,
                          const char *algorithm, int priority) {
    struct nl_request req;
    nl_init(&req, type, flags, sizeof(struct rtmsg));
    struct rtmsg *rt = NLMSG_DATA(&req.header);
    memcpy(rt, NLMSG_DATA(route), sizeof *rt);
    rt->rtm_flags = 0;
    int len = (int)RTM_PAYLOAD(route);
    for (struct rtattr *a = RTM_RTA((struct rtmsg *)NLMSG_DATA(route)); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        /* RTA_CACHEINFO is what the kernel reports about the route's use, not part of it. */
        if (a->rta_type == RTA_CACHEINFO || (a->rta_type == RTA_PRIORITY && priority >= 0)) continue;
        if (NLMSG_ALIGN(req.header.nlmsg_len) + RTA_ALIGN(a->rta_len) + 64 > sizeof req) { errno = ENOBUFS; return -1; }
        nl_attr(&req, a->rta_type, RTA_DATA(a), RTA_PAYLOAD(a));
    }
    if (priority >= 0) nl_attr(&req, RTA_PRIORITY, &priority, sizeof priority);
    if (algorithm) {
        struct rtattr *metrics = nl_attr(&req, RTA_METRICS, NULL, 0);
        nl_attr(&req, RTAX_CC_ALGO, algorithm, strlen(algorithm));
        nl_attr_end(&req, metrics);
    }
    return nl_talk(sock, &req);
}

/* ::1/128, the IPv6 loopback address. */
static int nl_route_is_ipv6_loopback(const struct nlmsghdr *route) {
    const struct rtmsg *rt = NLMSG_DATA(route);
    if (rt->rtm_family != AF_INET6 || rt->rtm_dst_len != 128) return 0;
    static const unsigned char loopback[16] = { [15] = 1 };
    int len = (int)RTM_PAYLOAD(route);
    for (struct rtattr *a = RTM_RTA((struct rtmsg *)rt); RTA_OK(a, len); a = RTA_NEXT(a, len))
        if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == 16) return memcmp(RTA_DATA(a), loopback, 16) == 0;
    return 0;
}

int mp_nl_local_routes_congctl(int sock, const char *algorithm) {
    static const unsigned char families[] = { AF_INET, AF_INET6 };
    int changed = 0;
    for (size_t f = 0; f < sizeof families; f++) {
        char routes[16384];
        ssize_t used = nl_local_routes(sock, families[f], routes, sizeof routes);
        if (used < 0) return -1;
        for (ssize_t at = 0; at < used; ) {
            struct nlmsghdr *route = (struct nlmsghdr *)(routes + at);
            at += NLMSG_ALIGN(route->nlmsg_len);
            if (families[f] == AF_INET) {
                if (nl_route_again(sock, route, RTM_NEWROUTE, NLM_F_REPLACE, algorithm, -1) < 0) return -1;
                changed++;
                continue;
            }
            /* IPv6: the kernel's local routes have metric 0, which a request cannot name
               (0 means "the default, 1024"), so REPLACE finds nothing. For ::1 a copy with
               the algorithm goes in at metric 1 first (already there from an earlier call:
               fine), then the kernel's metric-0 route goes (a delete at metric 0 takes the
               lowest match): if the add fails, nothing was removed. Other IPv6 local routes
               (an address's own, which addrconf adds back and removes with the address)
               are left as they are. */
            if (!nl_route_is_ipv6_loopback(route)) continue;
            if (nl_route_again(sock, route, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, algorithm, 1) < 0 && errno != EEXIST)
                return -1;
            if (nl_route_again(sock, route, RTM_DELROUTE, 0, NULL, 0) < 0) return -1;
            changed++;
        }
    }
    return changed;
}
