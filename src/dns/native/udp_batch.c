// Batched UDP for the cluster DNS (Linux). Node's dgram module costs several
// microseconds per datagram (one recvmsg, a Buffer, an rinfo object and an
// event per query; a send request and a callback per reply), which is most of
// a DNS answer's cost. This addon reads up to SLOTS queries with one
// recvmmsg(2), hands them to JavaScript in one call through memory shared with
// it, and sends the replies JavaScript wrote with one sendmmsg(2).
//
// It runs on the main thread, inside libuv's loop (uv_poll), so JavaScript
// sees ordinary synchronous calls and no locking is needed.
//
// Shared memory (ArrayBuffers JavaScript allocates and passes to serve()):
//   in     SLOTS * IN_SLOT bytes   query i at i * IN_SLOT
//   out    SLOTS * OUT_SLOT bytes  reply i at i * OUT_SLOT
//   lens   Int32Array(2 * SLOTS)   [i] = query length (-1: longer than IN_SLOT),
//                                  [SLOTS + i] = reply length JavaScript set (0: none)
// Replies that do not fit a slot, or come later (forwarded queries), go out
// with sendTo() to the peer address peer() returned during the batch.
#define NAPI_VERSION 8
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

// Queries per recvmmsg: 4, 16 and 64 measured alike under dnsperf; 64 wastes no calls under bursts.
#define SLOTS 64
#define IN_SLOT 4096
#define OUT_SLOT 2048
// Batches handled per readiness event before yielding to the rest of the loop.
#define MAX_ROUNDS 16

typedef struct {
  napi_env env;
  int fd;
  int closed;
  uv_poll_t poll;
  napi_ref on_batch;
  napi_ref buffers[3];
  napi_async_context async;
  unsigned char *in;
  unsigned char *out;
  int32_t *lens;
  struct sockaddr_storage peers[SLOTS];
  struct mmsghdr rmsgs[SLOTS];
  struct iovec riov[SLOTS];
  struct mmsghdr smsgs[SLOTS];
  struct iovec siov[SLOTS];
} Server;

#define CHECK(call)                                                        \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, NULL, "ordinal_udp: " #call " failed");         \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, int err) {
  napi_value msg, code, error;
  char text[256];
  snprintf(text, sizeof text, "%s %s", what, strerror(err));
  const char *name = err == EADDRINUSE ? "EADDRINUSE" : err == EADDRNOTAVAIL ? "EADDRNOTAVAIL"
                     : err == EACCES ? "EACCES" : err == EINVAL ? "EINVAL" : "EIO";
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, msg, &error);
  napi_set_named_property(env, error, "code", code);
  napi_throw(env, error);
  return NULL;
}

static int parse_addr(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *len = sizeof *a4;
    return 0;
  }
  if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    *len = sizeof *a6;
    return 0;
  }
  return -1;
}

// open(host, port, recvBufferSize) -> { fd, port }: a bound, non-blocking UDP socket.
static napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char host[64];
  size_t hlen;
  int32_t port, rcvbuf;
  CHECK(napi_get_value_string_utf8(env, argv[0], host, sizeof host, &hlen));
  CHECK(napi_get_value_int32(env, argv[1], &port));
  CHECK(napi_get_value_int32(env, argv[2], &rcvbuf));
  struct sockaddr_storage ss;
  socklen_t slen;
  if (parse_addr(host, port, &ss, &slen) != 0) return throw_errno(env, "bad address", EINVAL);
  int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (ss.ss_family == AF_INET6) {
    int on = 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  }
  if (bind(fd, (struct sockaddr *)&ss, slen) != 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "bind", err);
  }
  struct sockaddr_storage bound;
  socklen_t blen = sizeof bound;
  getsockname(fd, (struct sockaddr *)&bound, &blen);
  int actual = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                  : ((struct sockaddr_in *)&bound)->sin_port);
  napi_value result, vfd, vport;
  CHECK(napi_create_object(env, &result));
  CHECK(napi_create_int32(env, fd, &vfd));
  CHECK(napi_create_int32(env, actual, &vport));
  CHECK(napi_set_named_property(env, result, "fd", vfd));
  CHECK(napi_set_named_property(env, result, "port", vport));
  return result;
}

static void send_replies(Server *s, int n) {
  int m = 0;
  for (int i = 0; i < n; i++) {
    int32_t len = s->lens[SLOTS + i];
    if (len <= 0 || len > OUT_SLOT) continue;
    s->siov[m].iov_base = s->out + (size_t)i * OUT_SLOT;
    s->siov[m].iov_len = (size_t)len;
    memset(&s->smsgs[m].msg_hdr, 0, sizeof s->smsgs[m].msg_hdr);
    s->smsgs[m].msg_hdr.msg_name = &s->peers[i];
    s->smsgs[m].msg_hdr.msg_namelen = s->rmsgs[i].msg_hdr.msg_namelen;
    s->smsgs[m].msg_hdr.msg_iov = &s->siov[m];
    s->smsgs[m].msg_hdr.msg_iovlen = 1;
    m++;
  }
  int sent = 0;
  while (sent < m) {
    int r = sendmmsg(s->fd, s->smsgs + sent, (unsigned)(m - sent), MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EINTR) continue;
      // A full send buffer or a vanished peer: UDP may drop; skip that reply.
      sent++;
      continue;
    }
    sent += r;
  }
}

static void call_batch(Server *s, int n) {
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, arg, ignored;
  napi_get_reference_value(env, s->on_batch, &fn);
  napi_get_global(env, &recv); // make_callback wants an object as `this`
  napi_create_int32(env, n, &arg);
  // make_callback drains microtasks afterwards, like any I/O callback.
  if (napi_make_callback(env, s->async, recv, fn, 1, &arg, &ignored) == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  Server *s = (Server *)handle->data;
  (void)events;
  if (status < 0 || s->closed) return;
  for (int round = 0; round < MAX_ROUNDS && !s->closed; round++) {
    for (int i = 0; i < SLOTS; i++) {
      s->riov[i].iov_base = s->in + (size_t)i * IN_SLOT;
      s->riov[i].iov_len = IN_SLOT;
      memset(&s->rmsgs[i].msg_hdr, 0, sizeof s->rmsgs[i].msg_hdr);
      s->rmsgs[i].msg_hdr.msg_name = &s->peers[i];
      s->rmsgs[i].msg_hdr.msg_namelen = sizeof s->peers[i];
      s->rmsgs[i].msg_hdr.msg_iov = &s->riov[i];
      s->rmsgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(s->fd, s->rmsgs, SLOTS, MSG_DONTWAIT, NULL);
    if (n <= 0) return;
    for (int i = 0; i < n; i++) {
      s->lens[i] = (s->rmsgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? -1 : (int32_t)s->rmsgs[i].msg_len;
      s->lens[SLOTS + i] = 0;
    }
    call_batch(s, n);
    if (s->closed) return;
    send_replies(s, n);
    if (n < SLOTS) return;
  }
}

static void finalize_server(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Server *s = (Server *)data;
  // Freed by the poll handle's close callback when it is still open.
  if (s->closed == 2) free(s);
  else s->closed = 3;
}

static void on_poll_closed(uv_handle_t *h) {
  Server *s = (Server *)h->data;
  // Released here, not in close(): close() may run inside the batch callback.
  for (int i = 0; i < 3; i++) napi_delete_reference(s->env, s->buffers[i]);
  napi_delete_reference(s->env, s->on_batch);
  napi_async_destroy(s->env, s->async);
  if (s->closed == 3) free(s);
  else s->closed = 2;
}

static int array_buffer(napi_env env, napi_value v, void **data, size_t *len) {
  bool is_ab;
  if (napi_is_arraybuffer(env, v, &is_ab) != napi_ok || !is_ab) return -1;
  return napi_get_arraybuffer_info(env, v, data, len) == napi_ok ? 0 : -1;
}

// serve(fd, in, out, lens, onBatch) -> server: starts reading the socket.
static napi_value Serve(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  void *in, *out, *lens;
  size_t in_len, out_len, lens_len;
  if (array_buffer(env, argv[1], &in, &in_len) || array_buffer(env, argv[2], &out, &out_len) ||
      array_buffer(env, argv[3], &lens, &lens_len) || in_len < (size_t)SLOTS * IN_SLOT ||
      out_len < (size_t)SLOTS * OUT_SLOT || lens_len < 2 * SLOTS * sizeof(int32_t)) {
    napi_throw_type_error(env, NULL, "ordinal_udp: serve() needs the shared buffers of layout()");
    return NULL;
  }
  Server *s = (Server *)calloc(1, sizeof(Server));
  if (!s) return throw_errno(env, "calloc", ENOMEM);
  s->env = env;
  s->fd = fd;
  s->in = in;
  s->out = out;
  s->lens = lens;
  for (int i = 0; i < 3; i++) CHECK(napi_create_reference(env, argv[1 + i], 1, &s->buffers[i]));
  CHECK(napi_create_reference(env, argv[4], 1, &s->on_batch));
  napi_value resource, name;
  CHECK(napi_create_object(env, &resource));
  CHECK(napi_create_string_utf8(env, "ordinal.dns.udp", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, resource, name, &s->async));
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  if (uv_poll_init(loop, &s->poll, fd) != 0) {
    free(s);
    return throw_errno(env, "uv_poll_init", EINVAL);
  }
  s->poll.data = s;
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  napi_value handle;
  CHECK(napi_create_external(env, s, finalize_server, NULL, &handle));
  return handle;
}

static Server *server_arg(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || !p) {
    napi_throw_type_error(env, NULL, "ordinal_udp: not a server");
    return NULL;
  }
  return (Server *)p;
}

// peer(server, slot) -> Buffer: the address query `slot` of the current batch came from.
static napi_value Peer(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Server *s = server_arg(env, argv[0]);
  if (!s) return NULL;
  int32_t slot;
  CHECK(napi_get_value_int32(env, argv[1], &slot));
  if (slot < 0 || slot >= SLOTS) return throw_errno(env, "peer slot", EINVAL);
  napi_value buf;
  void *copy;
  socklen_t len = s->rmsgs[slot].msg_hdr.msg_namelen;
  CHECK(napi_create_buffer_copy(env, len, &s->peers[slot], &copy, &buf));
  return buf;
}

// peerHost(peerBuffer) -> string: the IP address in a peer() buffer.
static napi_value PeerHost(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *data;
  size_t len;
  CHECK(napi_get_buffer_info(env, argv[0], &data, &len));
  char text[INET6_ADDRSTRLEN] = "";
  const struct sockaddr *sa = (const struct sockaddr *)data;
  if (len >= sizeof(struct sockaddr_in) && sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)data)->sin_addr, text, sizeof text);
  else if (len >= sizeof(struct sockaddr_in6) && sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)data)->sin6_addr, text, sizeof text);
  napi_value out;
  CHECK(napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out));
  return out;
}

// sendTo(server, data, peerBuffer): one datagram, outside a batch.
static napi_value SendTo(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Server *s = server_arg(env, argv[0]);
  if (!s) return NULL;
  if (s->closed) return NULL;
  void *data, *peer;
  size_t len, plen;
  CHECK(napi_get_buffer_info(env, argv[1], &data, &len));
  CHECK(napi_get_buffer_info(env, argv[2], &peer, &plen));
  // Best effort, as UDP is: a failed send is a lost datagram.
  ssize_t r;
  do r = sendto(s->fd, data, len, MSG_DONTWAIT, (const struct sockaddr *)peer, (socklen_t)plen);
  while (r < 0 && errno == EINTR);
  return NULL;
}

// close(server): stops reading and closes the socket.
static napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Server *s = server_arg(env, argv[0]);
  if (!s || s->closed) return NULL;
  s->closed = 1;
  uv_poll_stop(&s->poll);
  uv_close((uv_handle_t *)&s->poll, on_poll_closed);
  close(s->fd);
  return NULL;
}

// closeFd(fd): for a socket open() made that never reached serve().
static napi_value CloseFd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  close(fd);
  return NULL;
}

// layout() -> { slots, inSlot, outSlot }
static napi_value Layout(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value o, v;
  CHECK(napi_create_object(env, &o));
  CHECK(napi_create_int32(env, SLOTS, &v));
  CHECK(napi_set_named_property(env, o, "slots", v));
  CHECK(napi_create_int32(env, IN_SLOT, &v));
  CHECK(napi_set_named_property(env, o, "inSlot", v));
  CHECK(napi_create_int32(env, OUT_SLOT, &v));
  CHECK(napi_set_named_property(env, o, "outSlot", v));
  return o;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"open", NULL, Open, NULL, NULL, NULL, napi_default, NULL},
    {"serve", NULL, Serve, NULL, NULL, NULL, napi_default, NULL},
    {"peer", NULL, Peer, NULL, NULL, NULL, napi_default, NULL},
    {"peerHost", NULL, PeerHost, NULL, NULL, NULL, napi_default, NULL},
    {"sendTo", NULL, SendTo, NULL, NULL, NULL, napi_default, NULL},
    {"close", NULL, Close, NULL, NULL, NULL, napi_default, NULL},
    {"closeFd", NULL, CloseFd, NULL, NULL, NULL, napi_default, NULL},
    {"layout", NULL, Layout, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
