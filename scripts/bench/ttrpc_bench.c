// ttrpc_bench — discountd's own ttrpc load generator. It costs almost nothing itself, so that the
// server is what gets measured (DESIGN.md §6, BENCHMARKS.md).
//
// Each connection (one thread) keeps DEPTH unary requests in flight; every batch of responses read
// is answered with as many new requests, in one write. A response whose google.rpc.Status code is
// not 0 (OK) counts as an error.
//
// Unlike the peers' ttrpc_load, the request payload may hold a placeholder: every run of twelve
// '@' bytes ("@@@@@@@@@@@@") is replaced, in each call, by a 12-character upper-case base-36
// number that no other call carries — across all connections of this run, and across runs given
// distinct --run-id values. The number is (run_id << 40) | sequence, where sequence counts this
// run's calls (warm-up included); 36^12 > 2^62, so it always fits in 12 digits. The protobuf
// lengths stay as they are, so a write that must not repeat (creating a code) gets a fresh value
// each call without re-encoding anything.
//
// usage: ttrpc_bench --socket PATH --service S --method M [--hex PAYLOAD_HEX]
//                    [--conns C] [--depth D] [--seconds N] [--warmup W] [--run-id ID]
//                    [--timeout-ms T] [--md KEY=VALUE]...
//
// Output, one line on stdout (key=value, space-separated):
//   calls=… errors=… elapsed=… calls_per_s=… p50_us=… p90_us=… p99_us=… p999_us=… max_us=…
//   mean_us=… total_calls=… conns=… depth=… run_id=… placeholders=… error_codes=CODE:N,…
// calls, calls_per_s and the latencies cover the measured window only (responses that arrived
// after the warm-up and before the end); errors and total_calls count every call, warm-up and
// the final drain included, so errors=0 means that no call at all failed. The first error's
// status code and message go to stderr.
//
// Exit status: 0 all calls OK; 1 some calls failed (the line is still printed); 2 bad usage;
// 3 the connection failed, closed or stalled (no response for 30 s).
//
// Build: gcc -O2 -o ttrpc_bench ttrpc_bench.c -lpthread
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define PH_LEN 12
#define PH_MAX 8
#define MAX_CONNS 256
#define SENT_SLOTS (1u << 20)  // send times by stream id; far more than can be in flight
#define RUN_ID_BITS 22
#define SEQ_BITS 40

// Latency histogram: 1 µs buckets below 1024 µs, then 512 buckets per power of two (≤ 0.2 %).
#define LIN 1024
#define SUB 512
#define HBUCKETS (LIN + 40 * SUB)

static const char *sock_path;
static uint8_t *body;  // the ttrpc Request message (data of a request frame)
static size_t body_len;
static size_t ph_off[PH_MAX];  // placeholder offsets within body
static int ph_n;
static int depth = 64, conns = 1;
static double seconds = 5, warmup = 0;
static uint64_t run_id;
// --varint-base B: a run of exactly 10 '#' bytes in the payload becomes, in each call, a 10-byte
// (non-minimal, still valid) protobuf varint of B + the call's sequence number, so int64 fields
// can differ per call too (e.g. a new agent id per call).
static int64_t varint_base = -1;
static size_t vph_off;
static int vph_n;
static double t_start, t_end;  // measured window, CLOCK_MONOTONIC seconds

typedef struct {
  int index;
  uint64_t calls, total, errors;
  uint64_t err_by_code[18];  // canonical codes 0..16, then "other"
  double lat_sum, lat_max;
  uint64_t *hist;
  int first_err_code;
  char first_err_msg[256];
  double first_err_time;
} conn_t;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static size_t put_varint(uint8_t *p, uint64_t v) {
  size_t n = 0;
  do { uint8_t b = v & 0x7f; v >>= 7; p[n++] = b | (v ? 0x80 : 0); } while (v);
  return n;
}

static int get_varint(const uint8_t *d, size_t n, size_t *i, uint64_t *v) {
  uint64_t x = 0;
  for (int sh = 0; sh < 64 && *i < n; sh += 7) {
    uint8_t b = d[(*i)++];
    x |= (uint64_t)(b & 0x7f) << sh;
    if (!(b & 0x80)) { *v = x; return 1; }
  }
  return 0;
}

static int bucket(uint64_t us) {
  if (us < LIN) return (int)us;
  int e = 63 - __builtin_clzll(us);  // ≥ 10
  int b = LIN + (e - 10) * SUB + (int)((us >> (e - 9)) & (SUB - 1));
  return b < HBUCKETS ? b : HBUCKETS - 1;
}

static uint64_t bucket_value(int b) {  // lower bound of a bucket, in µs
  if (b < LIN) return (uint64_t)b;
  int e = (b - LIN) / SUB + 10, s = (b - LIN) % SUB;
  return ((uint64_t)1 << e) + ((uint64_t)s << (e - 9));
}

// Writes one request frame for stream `sid` at p; the placeholders get `value` in base 36.
static size_t put_frame(uint8_t *p, uint32_t sid, uint64_t value) {
  p[0] = body_len >> 24; p[1] = body_len >> 16; p[2] = body_len >> 8; p[3] = body_len;
  p[4] = sid >> 24; p[5] = sid >> 16; p[6] = sid >> 8; p[7] = sid;
  p[8] = 1;  // request
  p[9] = 0;
  memcpy(p + 10, body, body_len);
  if (ph_n) {
    uint64_t value_b36 = value;
    char digits[PH_LEN];
    for (int k = PH_LEN - 1; k >= 0; k--) { digits[k] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[value_b36 % 36]; value_b36 /= 36; }
    for (int k = 0; k < ph_n; k++) memcpy(p + 10 + ph_off[k], digits, PH_LEN);
  }
  if (vph_n) {
    uint64_t v = (uint64_t)varint_base + (value & (((uint64_t)1 << SEQ_BITS) - 1));
    uint8_t *q = p + 10 + vph_off;
    for (int k = 0; k < 9; k++) { q[k] = (uint8_t)((v & 0x7f) | 0x80); v >>= 7; }
    q[9] = (uint8_t)(v & 0x01);
  }
  return 10 + body_len;
}

// The status code of a ttrpc Response (0 when the status is absent); its message into msg.
static int response_code(const uint8_t *d, size_t n, char *msg, size_t msgcap) {
  size_t i = 0;
  msg[0] = 0;
  while (i < n) {
    uint64_t key, len;
    if (!get_varint(d, n, &i, &key)) return -1;
    if ((key & 7) == 0) { uint64_t v; if (!get_varint(d, n, &i, &v)) return -1; continue; }
    if ((key & 7) != 2 || !get_varint(d, n, &i, &len) || len > n - i) return -1;
    if ((key >> 3) == 1) {  // google.rpc.Status
      size_t j = i, end = i + len;
      int code = 0;
      while (j < end) {
        uint64_t k, v;
        if (!get_varint(d, end, &j, &k)) return -1;
        if ((k & 7) == 0) {
          if (!get_varint(d, end, &j, &v)) return -1;
          if ((k >> 3) == 1) code = (int)(int32_t)v;
        } else if ((k & 7) == 2) {
          if (!get_varint(d, end, &j, &v) || v > end - j) return -1;
          if ((k >> 3) == 2) {
            size_t m = v < msgcap - 1 ? v : msgcap - 1;
            memcpy(msg, d + j, m);
            msg[m] = 0;
          }
          j += v;
        } else if ((k & 7) == 1) j += 8;
        else if ((k & 7) == 5) j += 4;
        else return -1;
      }
      return code;
    }
    i += len;
  }
  return 0;
}

static void write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) { perror("ttrpc_bench: write"); exit(3); }
    p += w; n -= (size_t)w;
  }
}

static void *run(void *arg) {
  conn_t *c = arg;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  strncpy(a.sun_path, sock_path, sizeof a.sun_path - 1);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    fprintf(stderr, "ttrpc_bench: connect %s: %s\n", sock_path, strerror(errno));
    exit(3);
  }
  struct timeval tv = {.tv_sec = 30};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

  // Sequence numbers: connection i uses i, i + conns, i + 2·conns, … — unique without atomics.
  uint64_t seq = (uint64_t)c->index, high = run_id << SEQ_BITS;
  size_t fsz = 10 + body_len;
  uint8_t *out = malloc(fsz * (size_t)depth);
  double *sent = malloc(sizeof(double) * SENT_SLOTS);
  uint32_t *sent_sid = calloc(SENT_SLOTS, sizeof(uint32_t));
  size_t cap = 1 << 20, have = 0;
  uint8_t *in = malloc(cap);
  if (!out || !sent || !sent_sid || !in) { fprintf(stderr, "ttrpc_bench: out of memory\n"); exit(3); }

  uint32_t sid = 1;
  size_t o = 0;
  double t = now();
  for (int k = 0; k < depth; k++) {
    sent[(sid >> 1) & (SENT_SLOTS - 1)] = t;
    sent_sid[(sid >> 1) & (SENT_SLOTS - 1)] = sid;
    o += put_frame(out + o, sid, high | seq);
    seq += (uint64_t)conns;
    sid += 2;
  }
  write_all(fd, out, o);
  int inflight = depth;
  char msg[256];

  while (inflight > 0) {
    if (have == cap) {
      cap *= 2;
      if (!(in = realloc(in, cap))) { fprintf(stderr, "ttrpc_bench: out of memory\n"); exit(3); }
    }
    ssize_t r = read(fd, in + have, cap - have);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        fprintf(stderr, "ttrpc_bench: no response for 30 s with %d calls in flight (connection %d)\n", inflight, c->index);
      else
        fprintf(stderr, "ttrpc_bench: connection %d closed by the server after %llu calls\n", c->index,
                (unsigned long long)c->total);
      exit(3);
    }
    have += (size_t)r;
    size_t p = 0;
    int done = 0;
    double tn = now();
    int measured = tn >= t_start && tn < t_end;
    while (have - p >= 10) {
      uint32_t len = (uint32_t)in[p] << 24 | (uint32_t)in[p + 1] << 16 | (uint32_t)in[p + 2] << 8 | in[p + 3];
      uint32_t rid = (uint32_t)in[p + 4] << 24 | (uint32_t)in[p + 5] << 16 | (uint32_t)in[p + 6] << 8 | in[p + 7];
      uint8_t type = in[p + 8];
      if (have - p < 10 + (size_t)len) {
        if (10 + (size_t)len > cap) {
          memmove(in, in + p, have - p); have -= p; p = 0;
          while (cap < 10 + (size_t)len) cap *= 2;
          if (!(in = realloc(in, cap))) { fprintf(stderr, "ttrpc_bench: out of memory\n"); exit(3); }
        }
        break;
      }
      if (type != 2) {
        fprintf(stderr, "ttrpc_bench: unexpected frame type %u on stream %u (unary calls only)\n", type, rid);
        exit(3);
      }
      uint32_t slot = (rid >> 1) & (SENT_SLOTS - 1);
      if (sent_sid[slot] != rid) {
        fprintf(stderr, "ttrpc_bench: response for unknown stream %u\n", rid);
        exit(3);
      }
      sent_sid[slot] = 0;
      int code = response_code(in + p + 10, len, msg, sizeof msg);
      c->total++;
      if (code != 0) {
        c->errors++;
        c->err_by_code[code >= 0 && code <= 16 ? code : 17]++;
        if (c->first_err_code == 0) {
          c->first_err_code = code;
          c->first_err_time = tn;
          snprintf(c->first_err_msg, sizeof c->first_err_msg, "%s", code < 0 ? "(undecodable response)" : msg);
        }
      }
      if (measured) {
        double lat = tn - sent[slot];
        uint64_t us = (uint64_t)(lat * 1e6);
        c->lat_sum += lat;
        if (lat > c->lat_max) c->lat_max = lat;
        c->hist[bucket(us)]++;
        c->calls++;
      }
      done++;
      p += 10 + (size_t)len;
    }
    if (p) { memmove(in, in + p, have - p); have -= p; }
    inflight -= done;
    if (tn < t_end && done) {
      o = 0;
      for (int k = 0; k < done; k++) {
        sent[(sid >> 1) & (SENT_SLOTS - 1)] = tn;
        sent_sid[(sid >> 1) & (SENT_SLOTS - 1)] = sid;
        o += put_frame(out + o, sid, high | seq);
        seq += (uint64_t)conns;
        sid += 2;
      }
      write_all(fd, out, o);
      inflight += done;
      if (seq >> SEQ_BITS || sid > 0x7ffffff0u) { fprintf(stderr, "ttrpc_bench: run too long for unique ids\n"); exit(2); }
    }
  }
  close(fd);
  free(out); free(sent); free(sent_sid); free(in);
  return NULL;
}

static int hexval(int ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: ttrpc_bench --socket PATH --service S --method M [--hex PAYLOAD_HEX]\n"
          "                   [--conns C (1)] [--depth D (64)] [--seconds N (5)] [--warmup W (0)]\n"
          "                   [--run-id ID (0..%u, default from time and pid)] [--timeout-ms T]\n"
          "                   [--md KEY=VALUE]...\n"
          "Each run of 12 '@' bytes in the payload becomes a unique 12-digit base-36 number per call.\n",
          (1u << RUN_ID_BITS) - 1);
}

static uint8_t *append_field(uint8_t *p, int tag, const void *data, size_t n) {
  *p++ = (uint8_t)(tag << 3 | 2);
  p += put_varint(p, n);
  memcpy(p, data, n);
  return p + n;
}

int main(int argc, char **argv) {
  const char *svc = NULL, *meth = NULL, *hex = "";
  const char *md[64];
  int md_n = 0, have_run_id = 0;
  long long timeout_ms = 0;
  static const struct option opts[] = {
      {"socket", 1, 0, 's'}, {"service", 1, 0, 'S'}, {"method", 1, 0, 'm'}, {"hex", 1, 0, 'x'},
      {"conns", 1, 0, 'c'},  {"depth", 1, 0, 'd'},   {"seconds", 1, 0, 'n'}, {"warmup", 1, 0, 'w'},
      {"run-id", 1, 0, 'r'}, {"timeout-ms", 1, 0, 't'}, {"md", 1, 0, 'M'}, {"varint-base", 1, 0, 'V'}, {"help", 0, 0, 'h'},
      {0, 0, 0, 0}};
  int ch;
  char *end;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
      case 's': sock_path = optarg; break;
      case 'S': svc = optarg; break;
      case 'm': meth = optarg; break;
      case 'x': hex = optarg; break;
      case 'c': conns = (int)strtol(optarg, &end, 10); if (*end || conns < 1 || conns > MAX_CONNS) goto bad; break;
      case 'd': depth = (int)strtol(optarg, &end, 10); if (*end || depth < 1 || depth > 65536) goto bad; break;
      case 'n': seconds = strtod(optarg, &end); if (*end || !(seconds > 0)) goto bad; break;
      case 'w': warmup = strtod(optarg, &end); if (*end || warmup < 0) goto bad; break;
      case 'r': run_id = strtoull(optarg, &end, 10); if (*end || run_id >> RUN_ID_BITS) goto bad; have_run_id = 1; break;
      case 't': timeout_ms = strtoll(optarg, &end, 10); if (*end || timeout_ms < 0) goto bad; break;
      case 'M': if (md_n == 64 || !strchr(optarg, '=')) goto bad; md[md_n++] = optarg; break;
      case 'V': varint_base = strtoll(optarg, &end, 10); if (*end || varint_base < 0) goto bad; break;
      case 'h': usage(stdout); return 0;
      default: usage(stderr); return 2;
    }
    continue;
  bad:
    fprintf(stderr, "ttrpc_bench: bad option value '%s'\n", optarg);
    usage(stderr);
    return 2;
  }
  if (optind != argc || !sock_path || !svc || !meth) { usage(stderr); return 2; }
  if (strlen(sock_path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
    fprintf(stderr, "ttrpc_bench: socket path too long\n");
    return 2;
  }
  if (!have_run_id) run_id = ((uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid()) & ((1u << RUN_ID_BITS) - 1);

  size_t hl = strlen(hex);
  if (hl % 2) { fprintf(stderr, "ttrpc_bench: --hex has an odd number of digits\n"); return 2; }
  size_t pl = hl / 2;
  uint8_t *payload = malloc(pl + 1);
  for (size_t i = 0; i < pl; i++) {
    int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) { fprintf(stderr, "ttrpc_bench: --hex is not hexadecimal\n"); return 2; }
    payload[i] = (uint8_t)(hi << 4 | lo);
  }

  size_t cap = 64 + strlen(svc) + strlen(meth) + pl;
  for (int k = 0; k < md_n; k++) cap += 32 + strlen(md[k]);
  body = malloc(cap);
  uint8_t *p = body;
  p = append_field(p, 1, svc, strlen(svc));
  p = append_field(p, 2, meth, strlen(meth));
  size_t payload_at;
  {
    *p++ = 0x1a;
    p += put_varint(p, pl);
    payload_at = (size_t)(p - body);
    memcpy(p, payload, pl);
    p += pl;
  }
  if (timeout_ms > 0) { *p++ = 0x20; p += put_varint(p, (uint64_t)timeout_ms * 1000000u); }
  for (int k = 0; k < md_n; k++) {
    const char *eq = strchr(md[k], '=');
    uint8_t kv[4096], *q = kv;
    size_t kl = (size_t)(eq - md[k]), vl = strlen(eq + 1);
    if (kl + vl > sizeof kv - 16) { fprintf(stderr, "ttrpc_bench: --md too long\n"); return 2; }
    q = append_field(q, 1, md[k], kl);
    q = append_field(q, 2, eq + 1, vl);
    p = append_field(p, 5, kv, (size_t)(q - kv));
  }
  body_len = (size_t)(p - body);

  // Placeholders: runs of exactly PH_LEN '@' bytes in the payload (a longer run is an error).
  for (size_t i = 0; i < pl;) {
    if (payload[i] != '@') { i++; continue; }
    size_t j = i;
    while (j < pl && payload[j] == '@') j++;
    if (j - i != PH_LEN) {
      fprintf(stderr, "ttrpc_bench: a run of %zu '@' in the payload; a placeholder is exactly %d\n", j - i, PH_LEN);
      return 2;
    }
    if (ph_n == PH_MAX) { fprintf(stderr, "ttrpc_bench: more than %d placeholders\n", PH_MAX); return 2; }
    ph_off[ph_n++] = payload_at + i;
    i = j;
  }

  if (varint_base >= 0) {  // the one run of exactly 10 '#' bytes
    for (size_t i = 0; i + 10 <= pl && !vph_n; i++) {
      size_t j = i;
      while (j < pl && payload[j] == '#') j++;
      if (j - i == 10) { vph_off = payload_at + i; vph_n = 1; }
      if (j > i) i = j;
    }
    if (!vph_n) { fprintf(stderr, "ttrpc_bench: --varint-base needs a run of 10 '#' in the payload\n"); return 2; }
  }

  pthread_t th[MAX_CONNS];
  conn_t *cs = calloc((size_t)conns, sizeof(conn_t));
  double t0 = now();
  t_start = t0 + warmup;
  t_end = t_start + seconds;
  for (int i = 0; i < conns; i++) {
    cs[i].index = i;
    cs[i].hist = calloc(HBUCKETS, sizeof(uint64_t));
    if (pthread_create(&th[i], NULL, run, &cs[i]) != 0) { perror("ttrpc_bench: pthread_create"); return 3; }
  }
  uint64_t calls = 0, total = 0, errors = 0, by_code[18] = {0};
  uint64_t *h = calloc(HBUCKETS, sizeof(uint64_t));
  double lat_sum = 0, lat_max = 0;
  int first = -1;
  for (int i = 0; i < conns; i++) {
    pthread_join(th[i], NULL);
    calls += cs[i].calls; total += cs[i].total; errors += cs[i].errors; lat_sum += cs[i].lat_sum;
    if (cs[i].lat_max > lat_max) lat_max = cs[i].lat_max;
    for (int k = 0; k < 18; k++) by_code[k] += cs[i].err_by_code[k];
    for (int k = 0; k < HBUCKETS; k++) h[k] += cs[i].hist[k];
    if (cs[i].errors && (first < 0 || cs[i].first_err_time < cs[first].first_err_time)) first = i;
  }
  double elapsed = seconds;  // calls are counted in the measured window only
  const double qs[4] = {0.50, 0.90, 0.99, 0.999};
  long long qv[4] = {-1, -1, -1, -1};
  uint64_t acc = 0;
  for (int k = 0, q = 0; k < HBUCKETS && q < 4; k++) {
    acc += h[k];
    while (q < 4 && calls && (double)acc >= qs[q] * (double)calls) qv[q++] = (long long)bucket_value(k);
  }
  char codes[512] = "";
  size_t cl = 0;
  for (int k = 0; k < 18; k++) {
    if (!by_code[k]) continue;
    char name[8];
    snprintf(name, sizeof name, k == 17 ? "other" : "%d", k);
    cl += (size_t)snprintf(codes + cl, sizeof codes - cl, "%s%s:%llu", cl ? "," : "", name, (unsigned long long)by_code[k]);
  }
  if (first >= 0)
    fprintf(stderr, "ttrpc_bench: first error: code %d: %s\n", cs[first].first_err_code, cs[first].first_err_msg);
  printf("calls=%llu errors=%llu elapsed=%.3f calls_per_s=%.0f p50_us=%lld p90_us=%lld p99_us=%lld p999_us=%lld "
         "max_us=%.0f mean_us=%.1f total_calls=%llu conns=%d depth=%d run_id=%llu placeholders=%d error_codes=%s\n",
         (unsigned long long)calls, (unsigned long long)errors, elapsed, elapsed > 0 ? calls / elapsed : 0.0, qv[0],
         qv[1], qv[2], qv[3], lat_max * 1e6, calls ? lat_sum / calls * 1e6 : 0.0, (unsigned long long)total, conns,
         depth, (unsigned long long)run_id, ph_n, cl ? codes : "none");
  fflush(stdout);
  return errors ? 1 : 0;
}
