package org.virtlxc.checkpoint.image;

import java.util.Set;

/**
 * The x86 CPU flags CRIU's restore checks by default ({@code --cpu-cap=fpu,ins}, criu/arch/x86/cpu.c), by their
 * {@code /proc/cpuinfo} names. Flags outside these sets do not stop CRIU, but a process that probed them at start
 * (e.g. a libc picking an AVX-512 memcpy) may still crash on a host without them.
 */
final class CriuCpuFlags {
  private CriuCpuFlags() {}

  /**
   * "ins": the instruction-set flags of CRIU's x86_ins_capability_mask. The dump host's must all be present on the
   * restore host (more is fine). ("osxsave" is never listed in /proc/cpuinfo; "xsave" stands for it.)
   */
  static final Set<String> INSTRUCTIONS = Set.of(
      "fpu", "tsc", "cx8", "sep", "cmov", "clflush", "mmx", "fxsr", "sse", "sse2",
      "syscall", "mmxext", "rdtscp", "3dnowext", "3dnow",
      "rep_good", "nopl",
      "pni", "pclmulqdq", "monitor", "ssse3", "cx16", "sse4_1", "sse4_2", "movbe", "popcnt", "aes", "xsave", "avx",
      "f16c", "rdrand",
      "abm", "sse4a", "misalignsse", "3dnowprefetch", "xop", "fma4", "tbm",
      "fsgsbase", "bmi1", "hle", "avx2", "bmi2", "erms", "rtm", "mpx", "avx512f", "avx512dq", "rdseed", "adx",
      "clflushopt", "avx512pf", "avx512er", "avx512cd", "sha_ni", "avx512bw", "avx512vl",
      "xsaveopt", "xsavec", "xgetbv1",
      "avx512vbmi", "avx512_vbmi2", "gfni", "vaes", "vpclmulqdq", "avx512_vnni", "avx512_bitalg", "tme",
      "avx512_vpopcntdq", "rdpid", "clzero", "avx512_4vnniw", "avx512_4fmaps");

  /** "fpu": FPU state format flags that must be present on the restore host if the dump host had them. */
  static final Set<String> FPU = Set.of("fpu", "fxsr", "xsave", "xsaves");

  /**
   * Flags that enable user XSAVE state components and so change the XSAVE area size; CRIU's "fpu" check refuses a
   * restore when the size differs at all ("CPU xsave size mismatch"), so these must be the same on both hosts.
   */
  static final Set<String> XSAVE_SIZE = Set.of("avx", "avx512f", "pku", "amx_tile");
}
