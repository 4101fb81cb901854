package dev.stride.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** The ranks of a data-parallel run in one JVM, for tests: a thread per rank, all at once. */
final class Ranks {
  private static final ExecutorService THREADS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "test-rank");
            t.setDaemon(true);
            return t;
          });

  private Ranks() {}

  /** What rank {@code rank} does. */
  interface Task<T> {
    T call(int rank) throws Exception;
  }

  /**
   * {@code task} of every one of {@code n} ranks at once, each on its own thread, in rank order.
   */
  static <T> List<T> onEvery(int n, Task<T> task) throws Exception {
    List<Future<T>> futures = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      int rank = r;
      futures.add(THREADS.submit(() -> task.call(rank)));
    }
    List<T> out = new ArrayList<>();
    for (Future<T> f : futures) {
      out.add(f.get());
    }
    return out;
  }
}
