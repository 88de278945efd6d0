/*
 * sendmmsg(2) for the UDP transport: one system call for a batch of datagrams instead of one each.
 * On this project's VMs a loopback datagram costs 7-10 us of wall time through dgram's send and
 * 2.5-3.7 us in a sendmmsg batch (measured, see README "SIP stack"); NOTIFY fan-outs and answered
 * transactions send in bursts, so the saving is most of the per-datagram cost.
 *
 * sendBatch(fd, datagrams, ports, hosts, from, count) sends datagrams[from .. from+count) on the
 * non-blocking socket `fd` (the dgram socket's own descriptor) and returns how many left (>= 0), or
 * -errno when the first of them could not be sent (EAGAIN: the socket buffer is full). A datagram is a
 * Buffer or a string; a string is UTF-8 encoded here, straight into one scratch block per call, which
 * saves the fan-out path a Buffer (an ArrayBuffer allocation and a JS-side encode) per NOTIFY. Hosts are
 * IP literals; a host that is not one is -EINVAL for that datagram.
 */
#define _GNU_SOURCE /* sendmmsg, struct mmsghdr */
#define NAPI_VERSION 8
#include <node_api.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_BATCH 256

static int read_int(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

/* The address part of one message; returns 0 or -errno. */
static int fill_address(napi_env env, napi_value ports, napi_value hosts, uint32_t index, struct mmsghdr *msg,
                        struct sockaddr_storage *addr) {
  napi_value el;
  int32_t port;
  char host[64];
  size_t host_len;
  if (napi_get_element(env, ports, index, &el) != napi_ok || !read_int(env, el, &port) || port <= 0 || port > 65535) return -EINVAL;
  if (napi_get_element(env, hosts, index, &el) != napi_ok ||
      napi_get_value_string_utf8(env, el, host, sizeof host, &host_len) != napi_ok || host_len >= sizeof host - 1) return -EINVAL;
  memset(addr, 0, sizeof *addr);
  if (strchr(host, ':') != NULL) {
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)addr;
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1) return -EINVAL;
    msg->msg_hdr.msg_namelen = sizeof *a6;
  } else {
    struct sockaddr_in *a4 = (struct sockaddr_in *)addr;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a4->sin_addr) != 1) return -EINVAL;
    msg->msg_hdr.msg_namelen = sizeof *a4;
  }
  msg->msg_hdr.msg_name = addr;
  return 0;
}

/* One datagram's payload: a Buffer's bytes in place, or a string's UTF-8 length to encode later
 * (iov_base NULL). Returns 0 or -errno. */
static int read_payload(napi_env env, napi_value bufs, uint32_t index, struct iovec *iov, napi_value *string) {
  napi_value el;
  napi_valuetype type;
  bool is_buffer;
  if (napi_get_element(env, bufs, index, &el) != napi_ok || napi_typeof(env, el, &type) != napi_ok) return -EINVAL;
  if (type == napi_string) {
    size_t units;
    /* the UTF-16 length is O(1); 3 bytes per unit bound its UTF-8 form (a surrogate pair is 4 bytes for
     * 2 units), so the string is scanned once, when it is written */
    if (napi_get_value_string_utf16(env, el, NULL, 0, &units) != napi_ok) return -EINVAL;
    iov->iov_base = NULL;
    iov->iov_len = units * 3;
    *string = el;
    return 0;
  }
  if (napi_is_buffer(env, el, &is_buffer) != napi_ok || !is_buffer) return -EINVAL;
  if (napi_get_buffer_info(env, el, &iov->iov_base, &iov->iov_len) != napi_ok) return -EINVAL;
  *string = NULL;
  return 0;
}

static napi_value send_batch(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_value result;
  int32_t fd, from, count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6 || !read_int(env, argv[0], &fd) ||
      !read_int(env, argv[4], &from) || !read_int(env, argv[5], &count) || from < 0 || count < 0) {
    napi_throw_type_error(env, NULL, "sendBatch(fd, datagrams, ports, hosts, from, count)");
    return NULL;
  }
  if (count > MAX_BATCH) count = MAX_BATCH;
  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iov[MAX_BATCH];
  struct sockaddr_storage addrs[MAX_BATCH];
  memset(msgs, 0, sizeof msgs[0] * (size_t)count);
  int32_t ready = 0;
  int32_t sent;
  napi_value strings[MAX_BATCH];
  size_t scratch_len = 0;
  for (; ready < count; ready++) {
    uint32_t index = (uint32_t)(from + ready);
    int err = read_payload(env, argv[1], index, &iov[ready], &strings[ready]);
    if (err == 0) err = fill_address(env, argv[2], argv[3], index, &msgs[ready], &addrs[ready]);
    if (err != 0) {
      if (ready == 0) {
        napi_create_int32(env, err, &result);
        return result;
      }
      break; /* send the good ones; the caller meets the bad one first on its next call */
    }
    if (strings[ready] != NULL) scratch_len += iov[ready].iov_len + 1;
    msgs[ready].msg_hdr.msg_iov = &iov[ready];
    msgs[ready].msg_hdr.msg_iovlen = 1;
  }
  char *scratch = NULL;
  if (scratch_len > 0) {
    scratch = malloc(scratch_len);
    if (scratch == NULL) {
      napi_create_int32(env, -ENOMEM, &result);
      return result;
    }
    char *at = scratch;
    for (int32_t i = 0; i < ready; i++) {
      if (strings[i] == NULL) continue;
      size_t written;
      napi_get_value_string_utf8(env, strings[i], at, iov[i].iov_len + 1, &written);
      iov[i].iov_base = at;
      iov[i].iov_len = written;
      at += written + 1;
    }
  }
  if (ready == 0) {
    sent = 0;
  } else {
    do sent = sendmmsg(fd, msgs, (unsigned int)ready, MSG_DONTWAIT);
    while (sent < 0 && errno == EINTR);
    if (sent < 0) sent = -errno;
  }
  free(scratch);
  napi_create_int32(env, sent, &result);
  return result;
}

/* native/udp-recv.c */
napi_value udp_recv_init(napi_env env, napi_value exports);

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "sendBatch", NAPI_AUTO_LENGTH, send_batch, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "sendBatch", fn) != napi_ok) return NULL;
  return udp_recv_init(env, exports);
}
