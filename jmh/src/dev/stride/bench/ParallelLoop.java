package dev.stride.bench;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A loop over {@code [0, n)} on several threads, for the memory-only limit at the thread counts the
 * optimizer steps at: the range split into equal shares (multiples of 16 elements), the calling
 * thread taking the first, parked workers the others. A benchmark's tool, not Stride's step (which
 * hands out fixed chunks through a counter); its wake-up costs tens of microseconds, nothing next
 * to the 16M-element loops it is used for.
 */
final class ParallelLoop implements AutoCloseable {
  /** What each thread runs: elements {@code [from, to)}. */
  interface Body {
    void run(long from, long to);
  }

  private final Thread[] workers;
  private final AtomicInteger done = new AtomicInteger();
  private volatile Body body;
  private volatile long n;
  private volatile int epoch;
  private volatile boolean closed;

  ParallelLoop(int threads) {
    workers = new Thread[threads - 1];
    for (int w = 0; w < workers.length; w++) {
      int share = w + 1;
      workers[w] = new Thread(() -> work(share), "bench-loop-" + share);
      workers[w].setDaemon(true);
      workers[w].start();
    }
  }

  void run(long n, Body body) {
    this.n = n;
    this.body = body;
    done.set(0);
    epoch++;
    for (int w = 0; w < workers.length; w++) {
      LockSupport.unpark(workers[w]); // whether parked or about to: a spare permit is harmless
    }
    share(0, n, body);
    while (done.get() != workers.length) {
      Thread.onSpinWait();
    }
  }

  private void share(int share, long n, Body body) {
    int threads = workers.length + 1;
    long per = (n / threads + 15) & -16;
    long from = Math.min(n, share * per);
    long to = share == threads - 1 ? n : Math.min(n, from + per);
    body.run(from, to);
  }

  private void work(int share) {
    int seen = 0;
    while (!closed) {
      // parked, not spinning, between loops: the step timed next needs every core
      while (epoch == seen && !closed) {
        LockSupport.park(this);
      }
      if (closed) {
        return;
      }
      seen = epoch;
      share(share, n, body);
      done.incrementAndGet();
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Thread t : workers) {
      LockSupport.unpark(t);
    }
  }
}
