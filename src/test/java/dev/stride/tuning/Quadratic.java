package dev.stride.tuning;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.stride.optim.Sgd;
import dev.stride.optim.SgdOptions;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * f(w) = L/2 · |w − t|² over d coordinates, whose curvature is L in every direction, so the best
 * constant SGD rate is 1/L (one step lands on t). Each batch draws its target t with noise σ around
 * 0, as minibatches of a real loss do.
 */
final class Quadratic implements RangeTest.TrainingStep, AutoCloseable {
  final double curvature;
  private final double noise;
  private final SplittableRandom random;
  private final Arena arena = Arena.ofConfined();
  final MemorySegment value;
  final MemorySegment grad;
  final Sgd sgd;

  Quadratic(double curvature, double noise, int dimensions, long seed) {
    this.curvature = curvature;
    this.noise = noise;
    this.random = new SplittableRandom(seed);
    value = arena.allocate(JAVA_FLOAT, dimensions);
    grad = arena.allocate(JAVA_FLOAT, dimensions);
    for (int i = 0; i < dimensions; i++) {
      value.setAtIndex(JAVA_FLOAT, i, (float) random.nextGaussian());
    }
    sgd = new Sgd(SgdOptions.of(0.01));
    sgd.add(value, grad);
  }

  /** One batch: the loss at the current w, then an SGD step at the rate the range test set. */
  @Override
  public double train(double lr) {
    double loss = 0;
    for (long i = 0; i < value.byteSize() / Float.BYTES; i++) {
      double error = value.getAtIndex(JAVA_FLOAT, i) - noise * random.nextGaussian();
      loss += curvature / 2 * error * error;
      grad.setAtIndex(JAVA_FLOAT, i, (float) (curvature * error));
    }
    sgd.step();
    return loss;
  }

  @Override
  public void close() {
    sgd.close();
    arena.close();
  }
}
