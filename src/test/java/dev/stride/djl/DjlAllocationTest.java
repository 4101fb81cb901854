package dev.stride.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.training.Trainer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Run in a JVM of its own (the surefire execution {@code djl-allocation}): after the other tests of
 * this package had run in the same JVM, the step allocated 6.5 KB (the vector kernels' boxing, as a
 * polluted profile makes them; BENCHMARKS.md's numbers come from JMH's own JVMs).
 */
class DjlAllocationTest {
  /**
   * The Stride step that ends a DJL trainer step allocates nothing (setGrad, which each update
   * calls, neither: SetGradTest). What DJL allocates around it, its wrappers of the arrays the
   * adapter asks for among them, BENCHMARKS.md measures per trainer step.
   */
  @Test
  void theStepEndingATrainerStepAllocatesNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    try (Model model = DjlModels.mlp(32, 3);
        StrideOptimizer stride = StrideOptimizer.of("AdamW", Map.of("lr", 1e-3));
        Trainer trainer = DjlModels.trainer(model, stride)) {
      long[] bytes = new long[1];
      stride.stepWith(
          () -> {
            long before = threads.getCurrentThreadAllocatedBytes();
            boolean taken = stride.optimizer().step();
            bytes[0] = threads.getCurrentThreadAllocatedBytes() - before;
            return taken;
          });
      NDList batch = DjlModels.batch(trainer.getManager(), 3, 0, 8);
      DjlModels.forwardBackward(trainer, batch);
      trainer.step(); // registers the parameters
      for (int i = 0; i < 20_000; i++) { // until the JIT has compiled the step (and the kernels)
        stride.optimizer().step();
      }
      long least = Long.MAX_VALUE;
      for (int step = 0; step < 20; step++) {
        DjlModels.forwardBackward(trainer, batch);
        trainer.step();
        least = Math.min(least, bytes[0]);
      }
      assertEquals(0, least, "bytes allocated by the Stride step of a trainer step");
    }
  }
}
