/*
 * Workloads for WorkloadMatrixIT, built with gcc -static into a busybox root at test time. Each writes its state to a
 * status file in DIR (written to DIR/.NAME.tmp, then renamed), which the test reads from the host.
 *
 *   matrix-workload pipes DIR        a producer child writes sequence numbers into a pipe, this process reads them and
 *                                    plays ping-pong over a unix socketpair with a second child; any gap, reset or
 *                                    wrong answer is counted in DIR/pipes ("pipe=N ping=N errors=N")
 *   matrix-workload memory MIB DIR   fills MIB MiB of anonymous memory with pseudo-random data; whenever DIR/memory.req
 *                                    holds a new token, hashes the memory again into DIR/memory ("token=T pid=P hash=H")
 *   matrix-workload tcp PORT DIR     serves 127.0.0.1:PORT: each connection gets "pid=P served=N\n", then is closed;
 *                                    DIR/tcp says "listening" once it does
 *   matrix-workload hold             does nothing, forever (a process whose cwd and environment are looked at)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
  perror(what);
  exit(2);
}

static void status(const char *dir, const char *name, const char *text) {
  char tmp[512], dst[512];
  snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
  snprintf(dst, sizeof dst, "%s/%s", dir, name);
  FILE *f = fopen(tmp, "w");
  if (f == NULL) die(tmp);
  fputs(text, f);
  if (fclose(f) != 0) die(tmp);
  if (rename(tmp, dst) != 0) die(dst);
}

static void full(int write_it, int fd, uint64_t *v) {
  char *p = (char *) v;
  size_t done = 0;
  while (done < sizeof *v) {
    ssize_t n = write_it ? write(fd, p + done, sizeof *v - done) : read(fd, p + done, sizeof *v - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die(write_it ? "write" : "read");
    done += (size_t) n;
  }
}

_Noreturn static void pipes(const char *dir) {
  int p[2], sv[2];
  if (pipe(p) != 0) die("pipe");
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) die("socketpair");
  if (fork() == 0) { /* producer */
    close(p[0]);
    close(sv[0]);
    close(sv[1]);
    for (uint64_t seq = 1;; seq++) {
      full(1, p[1], &seq);
      usleep(50000);
    }
  }
  if (fork() == 0) { /* ponger: answers n with n + 1 */
    close(p[0]);
    close(p[1]);
    close(sv[0]);
    for (uint64_t n;;) {
      full(0, sv[1], &n);
      n++;
      full(1, sv[1], &n);
    }
  }
  close(p[1]);
  close(sv[1]);
  uint64_t last = 0, pings = 0, errors = 0;
  for (;;) {
    uint64_t seq, ping, pong;
    full(0, p[0], &seq);
    if (seq != last + 1) {
      errors++;
      fprintf(stderr, "pipe: %" PRIu64 " after %" PRIu64 "\n", seq, last);
    }
    last = seq;
    ping = pings * 2;
    full(1, sv[0], &ping);
    full(0, sv[0], &pong);
    if (pong != ping + 1) {
      errors++;
      fprintf(stderr, "socketpair: %" PRIu64 " for %" PRIu64 "\n", pong, ping);
    }
    pings++;
    char text[128];
    snprintf(text, sizeof text, "pipe=%" PRIu64 " ping=%" PRIu64 " errors=%" PRIu64 "\n", last, pings, errors);
    status(dir, "pipes", text);
  }
}

static uint64_t hash(const uint64_t *m, size_t words) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < words; i++) {
    h = (h ^ m[i]) * 1099511628211ULL;
  }
  return h;
}

_Noreturn static void memory(long mib, const char *dir) {
  size_t size = (size_t) mib << 20, words = size / sizeof(uint64_t);
  uint64_t *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) die("mmap");
  uint64_t x = (uint64_t) time(NULL) ^ ((uint64_t) getpid() << 32) ^ 0x9e3779b97f4a7c15ULL;
  for (size_t i = 0; i < words; i++) { /* xorshift64 */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    m[i] = x;
  }
  char req[512], token[128] = "", seen[128] = "-";
  snprintf(req, sizeof req, "%s/memory.req", dir);
  strcpy(token, "filled");
  for (;;) {
    if (strcmp(token, seen) != 0) {
      char text[256];
      snprintf(text, sizeof text, "token=%s pid=%d hash=%016" PRIx64 "\n", token, (int) getpid(), hash(m, words));
      status(dir, "memory", text);
      strcpy(seen, token);
    }
    usleep(100000);
    FILE *f = fopen(req, "r");
    if (f != NULL) {
      if (fscanf(f, "%127s", token) != 1) strcpy(token, seen);
      fclose(f);
    }
  }
}

_Noreturn static void tcp(int port, const char *dir) {
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  if (s < 0) die("socket");
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(s, (struct sockaddr *) &a, sizeof a) != 0) die("bind");
  if (listen(s, 16) != 0) die("listen");
  status(dir, "tcp", "listening\n");
  for (unsigned long served = 1;; served++) {
    int c = accept(s, NULL, NULL);
    if (c < 0) {
      if (errno == EINTR) continue;
      die("accept");
    }
    char text[64];
    int n = snprintf(text, sizeof text, "pid=%d served=%lu\n", (int) getpid(), served);
    if (write(c, text, (size_t) n) != n) perror("write");
    close(c);
  }
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "pipes") == 0) pipes(argv[2]);
  if (argc == 4 && strcmp(argv[1], "memory") == 0) memory(atol(argv[2]), argv[3]);
  if (argc == 4 && strcmp(argv[1], "tcp") == 0) tcp(atoi(argv[2]), argv[3]);
  if (argc == 2 && strcmp(argv[1], "hold") == 0) {
    for (;;) pause();
  }
  fprintf(stderr, "usage: matrix-workload pipes DIR | memory MIB DIR | tcp PORT DIR | hold\n");
  return 1;
}
