package dev.stride.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The vector kernels' table gives every quantized format's code exactly as its rule does: at and
 * beside every bucket boundary and every step of the code (where an off-by-one in the table would
 * show), at every map value and its neighbours, in the region the table folds onto ±low, beyond
 * ±high, and at random values of every magnitude; and so does the vector kernels' encoder, which
 * computes the table's look-up a vector at a time.
 */
class CodeTableTest {

  @TestFactory
  Stream<DynamicTest> tableEqualsTheRule() {
    return Arrays.stream(StateFormat.values())
        .filter(StateFormat::quantized)
        .map(f -> DynamicTest.dynamicTest(f.name(), () -> check(f)));
  }

  @TestFactory
  Stream<DynamicTest> vectorEncoderEqualsTheRule() {
    return Arrays.stream(StateFormat.values())
        .filter(StateFormat::quantized)
        .map(f -> DynamicTest.dynamicTest(f.name(), () -> checkVector(f)));
  }

  /** Every probe of {@link #check}, a vector at a time in blocks of scale 1, and NaN. */
  private static void checkVector(StateFormat format) {
    List<Float> probes = new ArrayList<>();
    check(format, x -> probes.add(x));
    probes.add(Float.NaN);
    probes.add(-Float.NaN);
    int lanes = StateCodesVector.LANES;
    while (probes.size() % lanes != 0) {
      probes.add(0f);
    }
    float[] y = new float[probes.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = probes.get(i);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment codes = arena.allocate(format.valueBytes(y.length), 64);
      StateBuffer b = new StateBuffer(format, codes, MemorySegment.NULL, y.length, y.length);
      StateCodesVector.encode(b, y, 0, y.length, 1f, LowBitWorkspace.get(y.length));
      for (int i = 0; i < y.length; i++) {
        int expected = format.encode(y[i], 1f);
        int got = format.code(codes, i);
        if (got != expected) {
          assertEquals(expected, got, format + "'s vector encoder at " + y[i]);
        }
      }
    }
  }

  private static void check(StateFormat format) {
    CodeTable table = CodeTable.of(format);
    check(format, x -> at(format, table, x));
  }

  /** Calls {@code probe} at every value {@link #tableEqualsTheRule} looks at. */
  private static void check(StateFormat format, java.util.function.Consumer<Float> probe) {
    CodeTable table = CodeTable.of(format);
    int buckets = table.nanEntry;
    for (int e = 0; e < buckets; e++) {
      int start = (e - table.negativeBuckets) << CodeTable.SHIFT;
      for (int d = -2; d <= 2; d++) {
        probe.accept(table.valueAt(start + d));
      }
      int step = table.entries[e] & ((1 << (CodeTable.SHIFT + 1)) - 1);
      if (step <= CodeTable.OFFSET_MASK) {
        for (int d = -3; d <= 3; d++) {
          probe.accept(table.valueAt(start + step + d));
        }
      }
    }
    for (float v : format.values) {
      if (!Float.isNaN(v)) {
        for (float x : new float[] {v, Math.nextUp(v), Math.nextDown(v), -v}) {
          probe.accept(x);
        }
      }
    }
    float low = Float.intBitsToFloat(table.low);
    float high = Float.intBitsToFloat(table.high);
    for (float x :
        new float[] {
          0f,
          -0f,
          Float.MIN_VALUE,
          -Float.MIN_VALUE,
          Float.MIN_NORMAL,
          1e-30f,
          -1e-30f,
          low / 2,
          -low / 2,
          Math.nextDown(low),
          -Math.nextDown(low),
          high,
          -high,
          Math.nextUp(high),
          -Math.nextUp(high),
          Float.POSITIVE_INFINITY,
          Float.NEGATIVE_INFINITY
        }) {
      probe.accept(x);
    }
    SplittableRandom random = new SplittableRandom(format.ordinal());
    for (int i = 0; i < 200_000; i++) {
      float magnitude = (float) Math.scalb(1 + random.nextDouble(), -random.nextInt(40));
      probe.accept((random.nextBoolean() ? 1 : -1) * magnitude * high / 2);
    }
  }

  private static void at(StateFormat format, CodeTable table, float x) {
    assertEquals(format.codeOf(x), table.code(x), () -> format + " at " + x);
  }
}
