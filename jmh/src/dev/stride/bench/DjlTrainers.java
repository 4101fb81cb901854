package dev.stride.bench;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import dev.stride.djl.StrideOptimizer;
import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * DJL models for the {@code djl} benchmarks, each with its trainer and optimizer: {@code layers}
 * stacked {@code Linear(width)} layers on inputs of {@code width} ({@code layers·(width² + width)}
 * parameters), a few large tensors or hundreds of small ones, trained on an L2 loss.
 */
final class DjlTrainers implements AutoCloseable {
  /** How a model's parameters are cut: layers of width. */
  enum Cut {
    M1_FEW(1024, 1),
    M1_MANY(64, 256),
    M16_FEW(4096, 1),
    M16_MANY(256, 256),
    M100_FEW(5000, 4),
    M100_MANY(500, 400);

    final int width;
    final int layers;

    Cut(int width, int layers) {
      this.width = width;
      this.layers = layers;
    }

    long parameters() {
      return (long) layers * ((long) width * width + width);
    }

    int tensors() {
      return 2 * layers;
    }
  }

  /** Which optimizer the trainer steps with. */
  enum Kind {
    /** DJL's {@code Optimizer.adam()}. */
    DJL_ADAM,
    /** {@code StrideOptimizer.of("AdamW", ...)} on the benchmark's threads. */
    STRIDE_ADAMW,
    /** A DJL optimizer that does nothing: what DJL's trainer costs around any update. */
    NONE
  }

  private static final com.sun.management.ThreadMXBean THREAD =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  final Cut cut;
  final Kind kind;
  private final Model model;
  final Trainer trainer;
  private final StrideOptimizer stride;
  private final NDManager data;
  private final NDList batch;

  /** Bytes the Stride step of the last trainer step allocated on the calling thread. */
  long strideStepBytes;

  DjlTrainers(Cut cut, Kind kind, int threads, int batchSize) {
    this.cut = cut;
    this.kind = kind;
    SequentialBlock block = new SequentialBlock();
    for (int l = 0; l < cut.layers; l++) {
      block.add(Linear.builder().setUnits(cut.width).build());
    }
    model = Model.newInstance("bench-" + cut, StrideOptimizer.ENGINE);
    model.setBlock(block);
    Optimizer optimizer;
    if (kind == Kind.STRIDE_ADAMW) {
      stride = StrideOptimizer.of("AdamW", Map.of("lr", 1e-3));
      stride.optimizer().setThreads(threads);
      stride.stepWith(
          () -> {
            long before = THREAD.getCurrentThreadAllocatedBytes();
            boolean taken = stride.optimizer().step();
            strideStepBytes = THREAD.getCurrentThreadAllocatedBytes() - before;
            return taken;
          });
      optimizer = stride;
    } else {
      stride = null;
      optimizer =
          kind == Kind.DJL_ADAM
              ? Optimizer.adam().build()
              : new Optimizer(new NoBuilder()) {
                @Override
                public void update(String parameterId, NDArray weight, NDArray grad) {}
              };
    }
    trainer = model.newTrainer(new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(optimizer));
    trainer.initialize(new Shape(batchSize, cut.width));
    data = trainer.getManager().newSubManager();
    batch =
        new NDList(
            data.randomNormal(new Shape(batchSize, cut.width)),
            data.zeros(new Shape(batchSize, cut.width)));
    forwardBackward();
    trainer.step(); // registers the parameters, allocates the optimizers' state
  }

  /** One batch's forward and backward pass: the gradients a step then applies. */
  void forwardBackward() {
    try (GradientCollector collector = trainer.newGradientCollector()) {
      NDList prediction = trainer.forward(new NDList(batch.get(0)));
      collector.backward(trainer.getLoss().evaluate(new NDList(batch.get(1)), prediction));
    }
  }

  /** A whole training batch: forward, backward, update. */
  void trainBatch() {
    forwardBackward();
    trainer.step();
  }

  /** Bytes allocated on this thread by {@code action}. */
  static long bytes(Runnable action) {
    long before = THREAD.getCurrentThreadAllocatedBytes();
    action.run();
    return THREAD.getCurrentThreadAllocatedBytes() - before;
  }

  @Override
  public void close() {
    data.close();
    trainer.close();
    model.close();
    if (stride != null) {
      stride.close();
    }
  }

  private static final class NoBuilder extends Optimizer.OptimizerBuilder<NoBuilder> {
    @Override
    protected NoBuilder self() {
      return this;
    }
  }
}
