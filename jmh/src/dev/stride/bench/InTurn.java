package dev.stride.bench;

/**
 * Variants of a benchmark run in turn in one fork, each call timed, so that their ratio is taken
 * under the same machine load: out of cache this machine's memory bandwidth moves by ±30 % from one
 * second to the next, and a ratio of two forks run a minute apart is that noise (BENCHMARKS.md).
 * Each benchmark keeps its nanoseconds per variant in an {@code @AuxCounters} state, which {@link
 * BenchmarkTable} reads per iteration.
 */
final class InTurn {
  private InTurn() {}

  /** The nanoseconds {@code variant} takes. */
  static long nanos(Runnable variant) {
    long start = System.nanoTime();
    variant.run();
    return System.nanoTime() - start;
  }

  /**
   * Which variant goes {@code position}-th in call {@code call}: the order rotates, so that none
   * always follows another's cache traffic.
   */
  static int variant(long call, int position, int variants) {
    return (int) ((call + position) % variants);
  }
}
