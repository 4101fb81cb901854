package dev.stride.bench;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * The bandwidth limit of an Adam step: Adam's access pattern (reads param, grad and both moments,
 * writes param and both moments: 28 bytes per element) with only additions, over segments with
 * the Vector API and over {@code float[]}. The faster of the two is the limit Adam is held to.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MemoryBoundBenchmark {
  public static final int BYTES_PER_ELEMENT = 28;

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  // Repeated additions saturate (x + g == x once |x| >> |g|) rather than overflow or go subnormal.
  @Benchmark
  public void vector(SegmentBuffers s) {
    int i = 0;
    for (int bound = F.loopBound(s.size); i < bound; i += F.length()) {
      long at = (long) i * Float.BYTES;
      // The kernel's order: load p, g, m, v; store m, v, then p.
      FloatVector p = FloatVector.fromMemorySegment(F, s.param, at, ORDER);
      FloatVector g = FloatVector.fromMemorySegment(F, s.grad, at, ORDER);
      FloatVector m = FloatVector.fromMemorySegment(F, s.expAvg, at, ORDER).add(g);
      FloatVector v = FloatVector.fromMemorySegment(F, s.expAvgSq, at, ORDER).add(g);
      m.intoMemorySegment(s.expAvg, at, ORDER);
      v.intoMemorySegment(s.expAvgSq, at, ORDER);
      p.add(m.sub(v)).intoMemorySegment(s.param, at, ORDER);
    }
    for (; i < s.size; i++) {
      update(s.param, s.grad, s.expAvg, s.expAvgSq, i);
    }
  }

  @Benchmark
  public void floatArray(ArrayBuffers a) {
    float[] p = a.param;
    float[] g = a.grad;
    float[] m = a.expAvg;
    float[] v = a.expAvgSq;
    for (int i = 0; i < p.length; i++) {
      m[i] += g[i];
      v[i] += g[i];
      p[i] += m[i] - v[i];
    }
  }

  private static void update(MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v,
      long i) {
    float gi = g.getAtIndex(JAVA_FLOAT, i);
    float mi = m.getAtIndex(JAVA_FLOAT, i) + gi;
    float vi = v.getAtIndex(JAVA_FLOAT, i) + gi;
    m.setAtIndex(JAVA_FLOAT, i, mi);
    v.setAtIndex(JAVA_FLOAT, i, vi);
    p.setAtIndex(JAVA_FLOAT, i, p.getAtIndex(JAVA_FLOAT, i) + (mi - vi));
  }
}
