package dev.stride.examples;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * The two-spirals data set: two interleaved arms, one per class, each point moved by Gaussian
 * noise. Point i of class c lies at radius {@code r = t} and angle {@code 2π·turns·t + π·c}, for
 * {@code t} uniform in (0, 1]; the same seed gives the same points. Off-heap: {@code points} holds
 * (x, y) floats row by row, {@code labels} one int per row.
 */
record Spirals(MemorySegment points, MemorySegment labels, int size) {
  static final int FEATURES = 2;
  static final int CLASSES = 2;

  static Spirals generate(Arena arena, int perClass, double turns, double noise, long seed) {
    Random random = new Random(seed);
    int size = CLASSES * perClass;
    MemorySegment points = Dense.floats(arena, (long) size * FEATURES);
    MemorySegment labels = arena.allocate(JAVA_INT, size);
    for (int row = 0; row < size; row++) {
      int c = row % CLASSES;
      double t = 1 - random.nextDouble();
      double angle = 2 * Math.PI * turns * t + Math.PI * c;
      double x = t * Math.cos(angle) + noise * random.nextGaussian();
      double y = t * Math.sin(angle) + noise * random.nextGaussian();
      points.setAtIndex(JAVA_FLOAT, (long) row * FEATURES, (float) x);
      points.setAtIndex(JAVA_FLOAT, (long) row * FEATURES + 1, (float) y);
      labels.setAtIndex(JAVA_INT, row, c);
    }
    return new Spirals(points, labels, size);
  }
}
