/* Fuzz target: the network link's datagram intake, on real loopback
 * sockets. A slave link on 127.0.0.2 and a master link on 127.0.0.1 (its
 * slave 127.0.0.2) each face three senders: the legitimate peer, another
 * host (127.0.0.3) on the same port, and the peer's address on another
 * port. Input: records.
 *   c & 0x08 clear: send a datagram: sender c & 3 (3 wraps to 0), to the
 *     master link when c & 4; then 2 bytes of length (mod 1500), then
 *     that many bytes (or what is left).
 *   c & 0x08 set: a transfer on the link (master when c & 4) of 2 bytes
 *     of length (1..1400, so datagrams only): a read with no waiting, and
 *     when c & 0x10 and the read succeeded, its first bytes sent back.
 * Checked: no crash, leak or hang (whatever the senders send, every read
 * returns in bounded time). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct side {
    omv_rpc_link link;
    int senders[3];
    uint16_t port;
} side;

static side sides[2]; /* 0: the slave link, 1: the master link */
static int ready;

static int udp_socket(const char *ip, uint16_t port)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        fuzz_require(0, "a loopback UDP socket (127.0.0.1-3)");
    }
    return fd;
}

/* A port free on 127.0.0.x for UDP and TCP: the kernel's pick for UDP on
 * `ip`, tried until the link opens. */
static uint16_t some_port(const char *ip)
{
    int fd = udp_socket(ip, 0);
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

static void open_sides(void)
{
    for (int attempt = 0; attempt < 50; attempt++) {
        sides[0].port = some_port("127.0.0.2");
        if (omv_rpc_net_slave_open(&sides[0].link, "127.0.0.2", sides[0].port, NULL, 0, NULL) ==
            OMV_RPC_OK) {
            break;
        }
    }
    for (int attempt = 0; attempt < 50; attempt++) {
        sides[1].port = some_port("127.0.0.1");
        if (sides[1].port != sides[0].port &&
            omv_rpc_net_master_open(&sides[1].link, "127.0.0.2", "127.0.0.1", sides[1].port,
                                    NULL) == OMV_RPC_OK) {
            break;
        }
    }
    fuzz_require(sides[0].link.ops && sides[1].link.ops, "both links open");
    sides[0].senders[0] = udp_socket("127.0.0.1", sides[0].port); /* a master */
    sides[0].senders[1] = udp_socket("127.0.0.3", sides[0].port);
    sides[0].senders[2] = udp_socket("127.0.0.1", 0);
    sides[1].senders[0] = udp_socket("127.0.0.2", sides[1].port); /* the slave */
    sides[1].senders[1] = udp_socket("127.0.0.3", sides[1].port);
    sides[1].senders[2] = udp_socket("127.0.0.2", 0);
    ready = 1;
}

static void send_to(side *s, int sender, const uint8_t *bytes, size_t len)
{
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons(s->port);
    inet_pton(AF_INET, s == &sides[0] ? "127.0.0.2" : "127.0.0.1", &to.sin_addr);
    while (sendto(s->senders[sender], bytes, len, 0, (struct sockaddr *)&to, sizeof to) < 0 &&
           errno == EINTR) {
    }
}

/* Drop what the links sent back to the senders. */
static void drain_senders(void)
{
    uint8_t sink[2048];
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < 3; k++) {
            while (recv(sides[i].senders[k], sink, sizeof sink, MSG_DONTWAIT) > 0) {
            }
        }
    }
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) {
        open_sides();
    }
    for (int i = 0; i < 2; i++) {
        sides[i].link.ops->flush(sides[i].link.ctx);
    }
    static uint8_t buf[1400];
    size_t pos = 0;
    while (pos + 3 <= size) {
        unsigned c = data[pos];
        side *s = &sides[(c >> 2) & 1u];
        uint16_t n = le16(data + pos + 1);
        pos += 3;
        if (c & 0x08u) {
            size_t len = 1u + n % 1400u;
            omv_rpc_status st = omv_rpc_link_read(&s->link, buf, len, 0);
            if (st == OMV_RPC_OK && (c & 0x10u)) {
                (void)omv_rpc_link_write(&s->link, buf, len < 8 ? len : 8, 0);
            }
        } else {
            size_t len = n % 1500u;
            if (len > size - pos) {
                len = size - pos;
            }
            send_to(s, (int)(c & 3u) % 3, data + pos, len);
            pos += len;
        }
    }
    drain_senders();
    return 0;
}
