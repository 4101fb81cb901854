package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The step's threads: named daemons that idle without CPU, stop on close, and never touch confined
 * memory.
 */
class StepPoolTest {
  private static final int LARGE = (int) Optimizer.PARALLEL_FROM * 4;

  private static Set<Thread> stepThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("stride-step-"))
        .collect(Collectors.toSet());
  }

  private static Sgd sgdOver(Arena arena, int n) {
    Sgd sgd = new Sgd(SgdOptions.of(0.1).withMomentum(0.9));
    sgd.add(NativeFloats.allocate(arena, n), NativeFloats.of(arena, NativeFloats.ramp(n, 1, 0)));
    return sgd;
  }

  @Test
  void workersAreNamedDaemonsThatStopOnClose() throws InterruptedException {
    Set<Thread> before = stepThreads();
    try (Arena arena = Arena.ofShared()) {
      Sgd sgd = sgdOver(arena, LARGE);
      sgd.setThreads(3);
      sgd.step();
      Set<Thread> started = stepThreads();
      started.removeAll(before);
      assertEquals(2, started.size(), "three threads: the caller and two workers " + started);
      started.forEach(t -> assertTrue(t.isDaemon(), t + " is not a daemon"));
      sgd.close();
      for (Thread t : started) {
        t.join(10_000);
        assertFalse(t.isAlive(), t + " still runs after close()");
      }
    }
  }

  @Test
  void oneThreadOrASmallStepStartsNoWorker() {
    Set<Thread> before = stepThreads();
    try (Arena arena = Arena.ofShared();
        Sgd one = sgdOver(arena, LARGE);
        Sgd small = sgdOver(arena, (int) Optimizer.PARALLEL_FROM - 1)) {
      one.setThreads(1);
      one.step();
      small.setThreads(4);
      small.step();
      Set<Thread> now = stepThreads();
      now.removeAll(before);
      assertEquals(Set.of(), now);
    }
  }

  @Test
  void idleWorkersUseNoCpu() throws InterruptedException {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Set<Thread> before = stepThreads();
    try (Arena arena = Arena.ofShared();
        Sgd sgd = sgdOver(arena, LARGE)) {
      sgd.setThreads(2);
      sgd.step();
      Set<Thread> workers = stepThreads();
      workers.removeAll(before);
      Thread worker = workers.iterator().next();
      Thread.sleep(50); // past the spin
      long cpu = mx.getThreadCpuTime(worker.threadId());
      Thread.sleep(500);
      long used = mx.getThreadCpuTime(worker.threadId()) - cpu;
      assertTrue(used < 20_000_000, "an idle worker used " + used / 1e6 + " ms of CPU in 500 ms");
      sgd.step(); // and wakes for the next step
    }
  }

  @Test
  void optimizersShareAPoolTheirOwnerCloses() {
    Set<Thread> before = stepThreads();
    try (Arena arena = Arena.ofShared();
        StepPool pool = new StepPool(2);
        Sgd a = sgdOver(arena, LARGE);
        Sgd b = sgdOver(arena, LARGE)) {
      a.setPool(pool);
      b.setPool(pool);
      a.step();
      b.step();
      a.close(); // leaves the pool to its owner
      b.step();
      Set<Thread> now = stepThreads();
      now.removeAll(before);
      assertEquals(1, now.size(), "one worker for both: " + now);
      pool.close();
      NativeFloats.Snapshot unchanged = OptimizerProbe.snapshot(b);
      IllegalStateException e = assertThrows(IllegalStateException.class, b::step);
      assertTrue(e.getMessage().contains("pool"), e.getMessage());
      unchanged.assertUnchanged("a refused step");
    }
  }

  /**
   * The README's example registers confined memory: workers must leave it to the calling thread.
   */
  @Test
  void confinedMemoryIsSteppedByTheCallerAlongsideSharedMemoryOnWorkers() {
    try (Arena confined = Arena.ofConfined();
        Arena shared = Arena.ofShared();
        Sgd parallel = new Sgd(SgdOptions.of(0.5));
        Sgd single = new Sgd(SgdOptions.of(0.5))) {
      parallel.setThreads(4);
      single.setThreads(1);
      for (Sgd sgd : List.of(parallel, single)) {
        for (Arena arena : List.of(confined, shared, confined)) {
          sgd.add(
              NativeFloats.allocate(arena, LARGE / 2),
              NativeFloats.of(arena, NativeFloats.ramp(LARGE / 2, 1, 1e-3f)));
        }
        sgd.step();
      }
      for (int k = 0; k < 3; k++) {
        MemorySegment a = OptimizerProbe.parameter(parallel, 0, k).value;
        MemorySegment b = OptimizerProbe.parameter(single, 0, k).value;
        assertEquals(-1, a.mismatch(b), "tensor " + k);
      }
    }
  }
}
