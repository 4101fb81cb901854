package dev.stride.djl;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Small DJL models and batches for the adapter's tests, the same for the same seed. */
final class DjlModels {
  static final int FEATURES = 4;
  static final int CLASSES = 3;

  private DjlModels() {}

  /** An MLP FEATURES → hidden → hidden → CLASSES with ReLU, initialized from {@code seed}. */
  static Model mlp(int hidden, long seed) {
    Engine.getEngine(StrideOptimizer.ENGINE).setRandomSeed((int) seed);
    Model model = Model.newInstance("mlp-" + seed, StrideOptimizer.ENGINE);
    model.setBlock(
        new SequentialBlock()
            .add(Linear.builder().setUnits(hidden).build())
            .add(Activation.reluBlock())
            .add(Linear.builder().setUnits(hidden).build())
            .add(Activation.reluBlock())
            .add(Linear.builder().setUnits(CLASSES).build()));
    return model;
  }

  /** A trainer of {@code model} with softmax cross-entropy, initialized for batches of FEATURES. */
  static Trainer trainer(Model model, Optimizer optimizer) {
    Trainer trainer =
        model.newTrainer(
            new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(optimizer));
    trainer.initialize(new Shape(1, FEATURES));
    return trainer;
  }

  /** Batch {@code index} of a fixed random data set: (x, y). */
  static NDList batch(NDManager manager, long seed, int index, int size) {
    Random random = new Random(seed * 1_000_003 + index);
    float[] x = new float[size * FEATURES];
    float[] y = new float[size];
    for (int i = 0; i < size; i++) {
      for (int f = 0; f < FEATURES; f++) {
        x[i * FEATURES + f] = (float) random.nextGaussian();
      }
      y[i] = random.nextInt(CLASSES);
    }
    return new NDList(
        manager.create(x, new Shape(size, FEATURES)), manager.create(y, new Shape(size)));
  }

  /** Forward and backward of one batch, as EasyTrain.trainBatch does; returns the loss. */
  static float forwardBackward(Trainer trainer, NDList batch) {
    try (GradientCollector collector = trainer.newGradientCollector()) {
      NDList prediction = trainer.forward(new NDList(batch.get(0)));
      NDArray loss = trainer.getLoss().evaluate(new NDList(batch.get(1)), prediction);
      collector.backward(loss);
      return loss.getFloat();
    }
  }

  /** Every trainable parameter's weights by id, copied, in the block's order. */
  static Map<String, float[]> weights(Model model) {
    Map<String, float[]> weights = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
      if (p.getValue().requiresGradient()) {
        weights.put(p.getValue().getId(), p.getValue().getArray().toFloatArray());
      }
    }
    return weights;
  }
}
