/*
 * memtouch MIB: fills MIB MiB of private anonymous memory with non-trivial data, then sleeps forever.
 * Each 4 KiB page: 2 KiB of xorshift output (incompressible) and 2 KiB of text naming the page (compressible),
 * so a compressed save image is about half the plain one. Used by the save/restore benchmark as a container's
 * init (static, so it runs in a bare busybox root). Prints "ready" on stdout once every page is written.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long mib = argc > 1 ? atol(argv[1]) : 0;
  if (mib <= 0) {
    fprintf(stderr, "usage: memtouch MIB (a positive number of MiB to fill)\n");
    return 2;
  }
  size_t size = (size_t)mib << 20;
  unsigned char *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    perror("memtouch: mmap");
    return 1;
  }
  uint64_t x = 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
  for (size_t page = 0; page < size / 4096; page++) {
    unsigned char *p = mem + page * 4096;
    for (int i = 0; i < 2048; i += 8) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      memcpy(p + i, &x, 8);
    }
    int n = 0;
    while (n < 2048) {
      int w = snprintf((char *)p + 2048 + n, 2048 - n, "page %zu of memtouch, line %d; ", page, n);
      if (w <= 0) {
        break;
      }
      n += w;
    }
  }
  printf("ready\n");
  fflush(stdout);
  for (;;) {
    pause();
  }
}
