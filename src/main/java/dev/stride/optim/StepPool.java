package dev.stride.optim;

import dev.stride.internal.Args;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * number so that a worker that wakes late takes nothing from a later step; the caller starts on
 * them at once and waits for the units to be done, not for every worker to wake. No task objects,
 * no futures, nothing allocated per step.
 *
 * <p>On Linux, where this module may call native code ({@code --enable-native-access}), the workers
 * are kept off the CPU the caller runs on ({@code sched_setaffinity}, redone when the caller
 * moves): a 2-vCPU KVM guest was seen to wake a parked worker on the caller's CPU a third of the
 * time and to leave both there, where a step on 2 threads took 3× one thread's time
 * (BENCHMARKS.md). Where Linux refuses, the workers run where the scheduler puts them.
 */
public final class StepPool implements AutoCloseable {
  /** How long a worker spins after a step before it parks. */
  public static final long SPIN_MICROS = 50;

  /**
   * The system property that, set to {@code false}, leaves the workers wherever the scheduler puts
   * them instead of keeping them off the caller's CPU.
   */
  public static final String KEEP_OFF_CALLER_PROPERTY = "stride.keepWorkersOffCaller";

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

  /** Worker i + 1's Linux thread id once it has started, for {@link #keepOffCallersCpu}. */
  private final AtomicIntegerArray threadIds;

  /** The CPUs this process may run on, when the workers are kept off the caller's. */
  private final int[] cpus;

  /** The mask of {@link #cpus} but the caller's, rewritten when the caller moves. */
  private final MemorySegment mask;

  /** The caller's CPU that the workers were last kept off, or -1. */
  private int keptOff = -1;

  private boolean pinning;

  /**
   * How long a parked worker takes to start once woken, a running mean; a guess until measured.
   * Read and written by the caller alone, under {@link #oneStepAtATime}.
   */
  private long wakeNanos = 50_000;

  /** When the caller last woke a worker, and how long the woken worker took to start: 0 unset. */
  private volatile long wokenAt;

  private volatile long wakeSample;

  /** When the last step ended. */
  private long lastEnd;

  /**
   * @param threads how many threads a step runs on, the calling one included: 1 starts no worker
   * @throws IllegalArgumentException if {@code threads} is less than 1
   */
  public StepPool(int threads) {
    Args.positive("threads", threads);
    int pool = POOLS.incrementAndGet();
    workers = new Thread[threads - 1];
    parked = new AtomicIntegerArray(workers.length);
    threadIds = new AtomicIntegerArray(workers.length);
    cpus = Linux.AVAILABLE && workers.length > 0 ? Linux.allowedCpus() : new int[0];
    // every thread a CPU of its own, the caller's apart
    pinning =
        cpus.length > workers.length
            && Boolean.parseBoolean(System.getProperty(KEEP_OFF_CALLER_PROPERTY, "true"));
    mask = pinning ? Arena.ofAuto().allocate(Linux.CPU_SET_BYTES) : null;
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

  /**
   * Wakes the parked workers now, so that a step that starts within {@value #SPIN_MICROS} µs finds
   * them running instead of waking them itself, which costs tens of microseconds on a VM: a hint a
   * trainer can give as its backward pass ends. Costs each woken worker at most that spin of CPU;
   * nothing if they are awake.
   */
  public void wake() {
    for (int i = 0; i < workers.length; i++) {
      if (parked.get(i) != 0) {
        LockSupport.unpark(workers[i]);
      }
    }
  }

  /** Runs {@code task} over every chunk of {@code plan}, on the calling thread and the workers. */
  void run(StepPlan plan, ChunkTask task) {
    oneStepAtATime.lock();
    try {
      this.plan = plan;
      this.task = task;
      failure = null;
      unitsDone.set(0);
      boolean wakes = worthWaking(plan);
      if (pinning && wakes) {
        keepOffCallersCpu(); // before waking them: a worker then wakes on a CPU of its own
      }
      int step = epoch + 1;
      next.set((long) step << 32);
      epoch = step; // publishes plan and task; a spinning worker starts now
      if (wakes) {
        wokenAt = System.nanoTime();
        wake();
      }
      long start = System.nanoTime();
      for (int unit : plan.callerUnits) {
        runUnit(plan, unit, task, 0);
      }
      int taken = plan.callerUnits.length + takeUnits(step, plan, task, 0);
      // the caller's own pace, for the next step's choice: a unit as the caller runs it
      plan.unitNanos = (System.nanoTime() - start) / Math.max(1, taken);
      int units = plan.callerUnits.length + plan.sharedUnits.length;
      if (unitsDone.get() != units) {
        long waiting = System.nanoTime();
        while (unitsDone.get() != units) {
          if (System.nanoTime() - waiting < SPIN_MICROS * 1000) {
            Thread.onSpinWait();
          } else {
            Thread.yield(); // the worker with the last unit lost its core: let it have this one
          }
        }
      }
      next.set((long) step << 32 | Integer.MAX_VALUE); // nothing more to take from this step
      long sample = wakeSample;
      if (sample != 0) {
        wakeNanos += (sample - wakeNanos) / 4;
        wakeSample = 0;
      }
      lastEnd = System.nanoTime();
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

  /**
   * Whether to wake the parked workers for a step over {@code plan}. A worker that is already awake
   * joins in any case; a parked one is woken when the caller alone would take longer than two
   * wake-ups, or when steps come back to back (under a millisecond apart), where one wake-up serves
   * the steps that follow. A shorter step after a pause (a trainer's forward and backward passes)
   * is the caller's alone: a worker woken for it would come when it is nearly done, and could only
   * make the caller wait for the last unit.
   */
  private boolean worthWaking(StepPlan plan) {
    long alone = plan.unitNanos * (plan.callerUnits.length + plan.sharedUnits.length);
    return plan.unitNanos == 0 || alone > 2 * wakeNanos || System.nanoTime() - lastEnd < 1_000_000;
  }

  /**
   * Lets the workers run on every allowed CPU but the caller's, if the caller moved since the last
   * step; stops trying where Linux refuses.
   */
  private void keepOffCallersCpu() {
    int cpu = Linux.currentCpu();
    if (cpu == keptOff) {
      return;
    }
    Linux.fillMask(mask, cpus, cpu);
    for (int i = 0; i < workers.length; i++) {
      int tid = threadIds.get(i);
      if (tid == 0) {
        return; // not started yet: next step
      }
      if (!Linux.setAffinity(tid, mask)) {
        pinning = false;
        return;
      }
    }
    keptOff = cpu;
  }

  /**
   * Takes units of step {@code step} until none is left or a later step has begun; returns how many
   * it took.
   */
  private int takeUnits(int step, StepPlan plan, ChunkTask task, int worker) {
    int[] units = plan.sharedUnits;
    int taken = 0;
    while (true) {
      long claim = next.get();
      int u = (int) claim;
      if ((int) (claim >>> 32) != step || u >= units.length) {
        return taken;
      }
      if (next.compareAndSet(claim, claim + 1)) {
        runUnit(plan, units[u], task, worker);
        taken++;
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
    if (pinning) {
      threadIds.set(worker - 1, Linux.threadId());
    }
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
          start = System.nanoTime(); // woken ahead of a step (wake()): spin again for it
          long woken = wokenAt;
          if (epoch != seen && woken != 0) {
            wakeSample = Math.max(1, start - woken);
          }
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
