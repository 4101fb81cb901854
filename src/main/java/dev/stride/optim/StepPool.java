package dev.stride.optim;

import dev.stride.internal.Args;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads that run optimizer steps: {@code threads − 1} workers plus the thread that calls
 * {@link Optimizer#step()}. Several optimizers may share one pool ({@link Optimizer#setPool}); it
 * runs one step at a time. Workers are daemon threads named {@code stride-step-P-N}; after a step
 * each spins for {@value #SPIN_MICROS} µs, so that back-to-back steps start at once, and then
 * parks, using no CPU until the next step. {@link #close()} stops them.
 *
 * <p>A step hands out its {@link StepPlan}'s units through one counter, stamped with the step's
 * number so that a worker that wakes late takes nothing from a later step; the caller waits for the
 * units to be done, not for every worker to wake. No task objects, no futures, nothing allocated
 * per step.
 */
public final class StepPool implements AutoCloseable {
  /** How long a worker spins after a step before it parks. */
  public static final long SPIN_MICROS = 50;

  private static final AtomicInteger POOLS = new AtomicInteger();

  private final Thread[] workers;

  /** 1 while worker i + 1 is parked or about to park. */
  private final AtomicIntegerArray parked;

  private final ReentrantLock oneStepAtATime = new ReentrantLock();

  /** The step's number in the high 32 bits, the next unit to take in the low 32. */
  private final AtomicLong next = new AtomicLong();

  private final AtomicInteger unitsDone = new AtomicInteger();
  // Volatile, so that a worker that reads a later step's plan also sees that step's stamp.
  private volatile StepPlan plan;
  private volatile ChunkTask task;

  /** The step being run; workers wait for it to change. */
  private volatile int epoch;

  private volatile boolean closed;
  private volatile Throwable failure;

  /**
   * @param threads how many threads a step runs on, the calling one included: 1 starts no worker
   * @throws IllegalArgumentException if {@code threads} is less than 1
   */
  public StepPool(int threads) {
    Args.positive("threads", threads);
    int pool = POOLS.incrementAndGet();
    workers = new Thread[threads - 1];
    parked = new AtomicIntegerArray(workers.length);
    for (int i = 0; i < workers.length; i++) {
      int worker = i + 1;
      workers[i] = new Thread(() -> work(worker), "stride-step-" + pool + "-" + worker);
      workers[i].setDaemon(true);
    }
    for (Thread t : workers) {
      t.start();
    }
  }

  /** How many threads a step runs on, the calling one included. */
  public int threads() {
    return workers.length + 1;
  }

  boolean isClosed() {
    return closed;
  }

  /** Runs {@code task} over every chunk of {@code plan}, on the calling thread and the workers. */
  void run(StepPlan plan, ChunkTask task) {
    oneStepAtATime.lock();
    try {
      this.plan = plan;
      this.task = task;
      failure = null;
      unitsDone.set(0);
      int step = epoch + 1;
      next.set((long) step << 32);
      epoch = step; // publishes plan and task
      for (int i = 0; i < workers.length; i++) {
        if (parked.get(i) != 0) {
          LockSupport.unpark(workers[i]);
        }
      }
      for (int unit : plan.callerUnits) {
        runUnit(plan, unit, task, 0);
      }
      takeUnits(step, plan, task, 0);
      for (int spins = 0;
          unitsDone.get() != plan.callerUnits.length + plan.sharedUnits.length;
          spins++) {
        if (spins < 1 << 16) {
          Thread.onSpinWait();
        } else {
          Thread.yield(); // the worker with the last unit lost its core: let it have this one
        }
      }
      next.set((long) step << 32 | Integer.MAX_VALUE); // nothing more to take from this step
      this.plan = null;
      this.task = null;
      Throwable t = failure;
      if (t != null) {
        throw new IllegalStateException("a step thread failed", t);
      }
    } finally {
      oneStepAtATime.unlock();
    }
  }

  /** Takes units of step {@code step} until none is left or a later step has begun. */
  private void takeUnits(int step, StepPlan plan, ChunkTask task, int worker) {
    int[] units = plan.sharedUnits;
    while (true) {
      long claim = next.get();
      int u = (int) claim;
      if ((int) (claim >>> 32) != step || u >= units.length) {
        return;
      }
      if (next.compareAndSet(claim, claim + 1)) {
        runUnit(plan, units[u], task, worker);
      }
    }
  }

  private void runUnit(StepPlan plan, int unit, ChunkTask task, int worker) {
    try {
      plan.runUnit(unit, task, worker);
    } catch (Throwable t) {
      failure = t;
    } finally {
      unitsDone.incrementAndGet();
    }
  }

  private void work(int worker) {
    int seen = 0;
    while (true) {
      long start = System.nanoTime();
      while (epoch == seen && !closed) {
        if (System.nanoTime() - start < SPIN_MICROS * 1000) {
          Thread.onSpinWait();
        } else {
          parked.set(worker - 1, 1);
          if (epoch == seen && !closed) { // the caller unparks after its epoch write
            LockSupport.park(this);
          }
          parked.set(worker - 1, 0);
        }
      }
      if (closed) {
        return;
      }
      seen = epoch;
      // read after the epoch: if they are a later step's, that step's stamp is on the counter by
      // now, and nothing is taken
      ChunkTask t = task;
      StepPlan p = plan;
      if (p != null && t != null) {
        takeUnits(seen, p, t, worker);
      }
    }
  }

  /** Stops the workers once they finish the unit they are in. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (Thread t : workers) {
      LockSupport.unpark(t);
    }
  }
}
