/*
 * heartbeat FILE: appends the wall-clock time (CLOCK_REALTIME, seconds with 6 decimals) to FILE every 10 ms, for ever.
 * The migration benchmark reads the longest gap as the migration's downtime. CLOCK_REALTIME, not /proc/uptime or
 * CLOCK_MONOTONIC: CRIU restores a tree into a time namespace whose monotonic and boot clocks go on from the dump, which
 * hides the downtime from them.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: heartbeat FILE\n");
    return 2;
  }
  for (;;) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    FILE *f = fopen(argv[1], "a");
    if (f != NULL) {
      fprintf(f, "%lld.%06ld\n", (long long)t.tv_sec, t.tv_nsec / 1000);
      fclose(f);
    }
    usleep(10000);
  }
}
