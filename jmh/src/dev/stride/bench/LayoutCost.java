package dev.stride.bench;

import dev.stride.kernel.AdamKernel;
import dev.stride.kernel.KernelSet;
import dev.stride.kernel.SgdKernel;
import java.lang.foreign.*;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the kernel layout costs: the Adam and SGD vector loops as they were when every rule's vector
 * form lived in one class (before the per-rule files and the shared gradient prologue), against
 * today's {@code AdamVector} and {@code SgdVector}, in one JVM over the same buffers, the best of
 * six rounds. A one-off check kept so that it can be rerun (BENCHMARKS.md):
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp &lt;test classpath&gt; dev.stride.bench.LayoutCost
 * </pre>
 */
public final class LayoutCost {
  private LayoutCost() {}

  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  static final ByteOrder ORDER = ByteOrder.nativeOrder();

  /** The old Adam loop: its coefficients' fields as parameters (AdamW: decay, no L2). */
  static void oldAdam(
      float beta1,
      float omb1,
      float beta2,
      float omb2,
      float eps,
      float stepSize,
      float inv,
      float decay,
      MemorySegment param,
      MemorySegment grad,
      MemorySegment expAvg,
      MemorySegment expAvgSq,
      long count) {
    long i = 0;
    for (long bound = F.loopBound(count); i < bound; i += F.length()) {
      long at = i * Float.BYTES;
      FloatVector p = FloatVector.fromMemorySegment(F, param, at, ORDER);
      FloatVector g = FloatVector.fromMemorySegment(F, grad, at, ORDER);
      if (decay != 1) p = p.mul(decay);
      FloatVector m =
          FloatVector.fromMemorySegment(F, expAvg, at, ORDER).mul(beta1).add(g.mul(omb1));
      FloatVector v =
          FloatVector.fromMemorySegment(F, expAvgSq, at, ORDER).mul(beta2).add(g.mul(omb2).mul(g));
      m.intoMemorySegment(expAvg, at, ORDER);
      v.intoMemorySegment(expAvgSq, at, ORDER);
      FloatVector denom = v.lanewise(VectorOperators.SQRT).mul(inv).add(eps);
      p.sub(m.mul(stepSize).div(denom)).intoMemorySegment(param, at, ORDER);
    }
  }

  static void oldSgd(float lr, MemorySegment param, MemorySegment grad, long count) {
    for (long i = 0, bound = F.loopBound(count); i < bound; i += F.length()) {
      long at = i * Float.BYTES;
      FloatVector p = FloatVector.fromMemorySegment(F, param, at, ORDER);
      FloatVector d = FloatVector.fromMemorySegment(F, grad, at, ORDER);
      p.sub(d.mul(lr)).intoMemorySegment(param, at, ORDER);
    }
  }

  public static void main(String[] args) {
    Arena arena = Arena.global();
    AdamKernel adam = KernelSet.vector().get(AdamKernel.class);
    SgdKernel sgd = KernelSet.vector().get(SgdKernel.class);
    AdamKernel.Coefficients c =
        new AdamKernel.Coefficients().set(1e-3, 0.9, 0.999, 1e-8, 0.01, true, false, false, 10);
    c.setStepTerms(1f, Float.POSITIVE_INFINITY, 0);
    SgdKernel.Coefficients s = new SgdKernel.Coefficients().set(0.01, 0, 0, 0, false, false, false);
    s.setStepTerms(1f, Float.POSITIVE_INFINITY, 0);
    for (long n : new long[] {16384, 1 << 24}) {
      MemorySegment[] b = new MemorySegment[4];
      for (int k = 0; k < 4; k++) {
        b[k] = arena.allocate(n * 4 + 4096, 4096).asSlice(k * 1024L, n * 4);
        b[k].fill((byte) 0);
      }
      for (long i = 0; i < n; i++) {
        b[0].setAtIndex(ValueLayout.JAVA_FLOAT, i, 1f);
        b[1].setAtIndex(ValueLayout.JAVA_FLOAT, i, 1e-3f);
      }
      int reps = (int) Math.max(20, (1L << 28) / n);
      double[] best = {1e18, 1e18, 1e18, 1e18};
      for (int round = 0; round < 6; round++) {
        long t = System.nanoTime();
        for (int r = 0; r < reps; r++)
          oldAdam(
              0.9f, 0.1f, 0.999f, 0.001f, 1e-8f, 1e-3f, 1.2f, 0.9999f, b[0], b[1], b[2], b[3], n);
        best[0] = Math.min(best[0], (System.nanoTime() - t) / (double) reps / n);
        t = System.nanoTime();
        for (int r = 0; r < reps; r++)
          adam.update(c, b[0], b[1], b[2], b[3], MemorySegment.NULL, 0, n);
        best[1] = Math.min(best[1], (System.nanoTime() - t) / (double) reps / n);
        t = System.nanoTime();
        for (int r = 0; r < reps; r++) oldSgd(0.01f, b[0], b[1], n);
        best[2] = Math.min(best[2], (System.nanoTime() - t) / (double) reps / n);
        t = System.nanoTime();
        for (int r = 0; r < reps; r++) sgd.update(s, b[0], b[1], MemorySegment.NULL, 0, n);
        best[3] = Math.min(best[3], (System.nanoTime() - t) / (double) reps / n);
      }
      System.out.printf(
          "n=%d: Adam old %.3f new %.3f (%.2fx); SGD old %.3f new %.3f (%.2fx) ns/elem%n",
          n, best[0], best[1], best[1] / best[0], best[2], best[3], best[3] / best[2]);
    }
  }
}
