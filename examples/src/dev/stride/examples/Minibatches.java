package dev.stride.examples;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Minibatches drawn without replacement from a data set in an order shuffled again every epoch
 * (from a seed, so the same every run), each copied into this object's off-heap batch buffers. The
 * last batch of an epoch is short when the batch size does not divide the data set.
 */
final class Minibatches {
  private final Spirals data;
  private final int batchSize;
  private final Random random;
  private final int[] order;
  private final MemorySegment points;
  private final MemorySegment labels;
  private int next;

  Minibatches(Arena arena, Spirals data, int batchSize, long seed) {
    this.data = data;
    this.batchSize = batchSize;
    random = new Random(seed);
    order = new int[data.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    points = Dense.floats(arena, (long) batchSize * Spirals.FEATURES);
    labels = arena.allocate(JAVA_INT, batchSize);
    next = order.length; // shuffle before the first batch
  }

  /**
   * Fills {@link #points()} and {@link #labels()} with the next batch; returns its number of rows.
   */
  int next() {
    if (next == order.length) {
      shuffle();
      next = 0;
    }
    int rows = Math.min(batchSize, order.length - next);
    for (int r = 0; r < rows; r++) {
      int row = order[next + r];
      MemorySegment.copy(
          data.points(),
          JAVA_FLOAT,
          (long) row * Spirals.FEATURES * Float.BYTES,
          points,
          JAVA_FLOAT,
          (long) r * Spirals.FEATURES * Float.BYTES,
          Spirals.FEATURES);
      labels.setAtIndex(JAVA_INT, r, data.labels().getAtIndex(JAVA_INT, row));
    }
    next += rows;
    return rows;
  }

  /**
   * Continues as a fresh instance of the same seed would after {@code epochs} whole epochs: the
   * shuffles are replayed, nothing is copied. For a run resumed from a checkpoint.
   */
  void skipEpochs(long epochs) {
    for (long e = 0; e < epochs; e++) {
      shuffle();
    }
    next = order.length;
  }

  /** Fisher–Yates. */
  private void shuffle() {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
  }

  int batchesPerEpoch() {
    return (order.length + batchSize - 1) / batchSize;
  }

  MemorySegment points() {
    return points;
  }

  MemorySegment labels() {
    return labels;
  }
}
