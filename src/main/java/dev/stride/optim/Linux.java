package dev.stride.optim;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * The few Linux calls the step makes through {@code java.lang.foreign}: which CPU a thread is on,
 * keeping the step's workers off the caller's CPU ({@code sched_setaffinity}), and asking for huge
 * pages for the state ({@code madvise}). They are made only on Linux and where the JVM lets this
 * module call native code ({@code --enable-native-access=dev.stride}, or {@code ALL-UNNAMED} on the
 * class path), so that no warning is printed; elsewhere {@link #AVAILABLE} is false and the step
 * runs without them, with the same results.
 */
final class Linux {
  private static final int MADV_HUGEPAGE = 14;

  /** A cpu_set_t of 1,024 CPUs, as glibc's. */
  static final long CPU_SET_BYTES = 128;

  /** Huge pages are this large on x86 and most aarch64 kernels. */
  static final long HUGE_PAGE = 2 << 20;

  private static final MethodHandle GETTID;
  private static final MethodHandle SCHED_GETCPU;
  private static final MethodHandle SCHED_SETAFFINITY;
  private static final MethodHandle SCHED_GETAFFINITY;
  private static final MethodHandle MADVISE;

  /** Whether the calls below can be made. */
  static final boolean AVAILABLE;

  static {
    MethodHandle gettid = null;
    MethodHandle getcpu = null;
    MethodHandle setaffinity = null;
    MethodHandle getaffinity = null;
    MethodHandle madvise = null;
    boolean available = false;
    if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
        && Linux.class.getModule().isNativeAccessEnabled()) {
      try {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        gettid =
            linker.downcallHandle(
                libc.find("gettid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
        getcpu =
            linker.downcallHandle(
                libc.find("sched_getcpu").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
        FunctionDescriptor affinity = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
        setaffinity = linker.downcallHandle(libc.find("sched_setaffinity").orElseThrow(), affinity);
        getaffinity = linker.downcallHandle(libc.find("sched_getaffinity").orElseThrow(), affinity);
        madvise =
            linker.downcallHandle(
                libc.find("madvise").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        available = true;
      } catch (RuntimeException e) { // a libc without one of them: do without
        available = false;
      }
    }
    GETTID = gettid;
    SCHED_GETCPU = getcpu;
    SCHED_SETAFFINITY = setaffinity;
    SCHED_GETAFFINITY = getaffinity;
    MADVISE = madvise;
    AVAILABLE = available;
  }

  private Linux() {}

  /** The calling thread's Linux thread id. */
  static int threadId() {
    try {
      return (int) GETTID.invokeExact();
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** The CPU the calling thread runs on, or -1. */
  static int currentCpu() {
    try {
      return (int) SCHED_GETCPU.invokeExact();
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** The CPUs this process may run on, in order; empty if Linux does not say. */
  static int[] allowedCpus() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment mask = arena.allocate(CPU_SET_BYTES);
      if ((int) SCHED_GETAFFINITY.invokeExact(0, CPU_SET_BYTES, mask) != 0) {
        return new int[0];
      }
      return java.util.stream.IntStream.range(0, (int) CPU_SET_BYTES * 8)
          .filter(cpu -> (mask.get(JAVA_LONG, cpu / 64 * 8L) & 1L << cpu % 64) != 0)
          .toArray();
    } catch (Throwable t) {
      return new int[0];
    }
  }

  /**
   * Lets thread {@code tid} run on the CPUs of {@code cpus} alone, a mask of {@link
   * #CPU_SET_BYTES}.
   *
   * @return false if Linux refused (a container may forbid it)
   */
  static boolean setAffinity(int tid, MemorySegment cpus) {
    try {
      return (int) SCHED_SETAFFINITY.invokeExact(tid, CPU_SET_BYTES, cpus) == 0;
    } catch (Throwable t) {
      return false;
    }
  }

  /** Sets {@code mask}, of {@link #CPU_SET_BYTES}, to {@code cpus} but {@code except}. */
  static void fillMask(MemorySegment mask, int[] cpus, int except) {
    mask.fill((byte) 0);
    for (int cpu : cpus) {
      if (cpu != except && cpu < CPU_SET_BYTES * 8) {
        long word = cpu / 64 * 8L;
        mask.set(JAVA_LONG, word, mask.get(JAVA_LONG, word) | 1L << cpu % 64);
      }
    }
  }

  /**
   * Asks for transparent huge pages under {@code s} (page-aligned): where the kernel gives them
   * only when asked ({@code madvise} mode), a large buffer otherwise costs a TLB entry per 4 KiB.
   * Ignored where refused.
   */
  static void adviseHugePages(MemorySegment s) {
    try {
      int ignored = (int) MADVISE.invokeExact(s, s.byteSize(), MADV_HUGEPAGE);
    } catch (Throwable t) {
      // advice only
    }
  }
}
