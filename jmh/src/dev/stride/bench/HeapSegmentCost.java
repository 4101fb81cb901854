package dev.stride.bench;

import dev.stride.kernel.AdamKernel;
import dev.stride.kernel.KernelSet;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * What one heap segment costs every kernel in the JVM: the Adam vector kernel over native segments
 * against the {@code float[]} loop, in a JVM where no kernel has seen a heap segment and in one
 * where a kernel was first called on {@code MemorySegment.ofArray} segments. The Vector API's loads
 * and stores profile the segment's class in shared JDK code; once both kinds have been seen, every
 * kernel is compiled for both. A one-off check kept so that it can be rerun (BENCHMARKS.md), one
 * JVM per mode:
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp &lt;test classpath&gt; dev.stride.bench.HeapSegmentCost native|heap
 * </pre>
 */
public final class HeapSegmentCost {
  private static final int ROUNDS = 12;

  private HeapSegmentCost() {}

  public static void main(String[] args) {
    boolean heap = args.length == 1 && args[0].equals("heap");
    if (args.length != 1 || !heap && !args[0].equals("native")) {
      throw new IllegalArgumentException(
          "expected one argument, native or heap; got " + Arrays.toString(args));
    }
    AdamKernel kernel = KernelSet.vector().get(AdamKernel.class);
    AdamKernel.Coefficients c = new AdamKernel.Coefficients();
    if (heap) {
      MemorySegment[] h = new MemorySegment[4];
      Arrays.setAll(h, k -> MemorySegment.ofArray(new float[64]));
      for (int j = 0; j < 20_000; j++) {
        kernel.update(set(c, j + 1), h[0], h[1], h[2], h[3], MemorySegment.NULL, 0, 64);
      }
    }
    for (int size : new int[] {16_384, 16_777_216}) {
      try (SegmentBuffers s = new SegmentBuffers(size)) {
        ArrayBuffers a = new ArrayBuffers(size);
        long[] step = {0};
        Runnable vector =
            () ->
                kernel.update(
                    set(c, ++step[0]),
                    s.param,
                    s.grad,
                    s.expAvg,
                    s.expAvgSq,
                    MemorySegment.NULL,
                    0,
                    size);
        Runnable loop =
            () ->
                TrainerLoops.adam(
                    a.param,
                    a.grad,
                    a.expAvg,
                    a.expAvgSq,
                    ++step[0],
                    1e-3f,
                    0.9f,
                    0.999f,
                    1e-8f,
                    0.01f,
                    true);
        double[] ratio = new double[ROUNDS];
        double[] vectorNs = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
          vectorNs[r] = nsPerElement(vector, size);
          ratio[r] = nsPerElement(loop, size) / vectorNs[r];
        }
        Arrays.sort(ratio);
        Arrays.sort(vectorNs);
        System.out.printf(
            "%s segments seen, %,d elements: vector %.3f ns/elem, float[]/vector %.2f"
                + " (median of %d rounds, %.2f to %.2f)%n",
            heap ? "heap and native" : "native only",
            size,
            vectorNs[ROUNDS / 2],
            ratio[ROUNDS / 2],
            ROUNDS,
            ratio[0],
            ratio[ROUNDS - 1]);
      }
    }
  }

  private static AdamKernel.Coefficients set(AdamKernel.Coefficients c, long step) {
    return c.set(1e-3, 0.9, 0.999, 1e-8, 0.01, true, false, false, step);
  }

  /** The median time of a round's calls, per element; rounds of about 1.6 × 10⁸ elements. */
  private static double nsPerElement(Runnable call, int size) {
    long[] ns = new long[Math.max(15, 160_000_000 / size)];
    for (int j = 0; j < ns.length; j++) {
      ns[j] = InTurn.nanos(call);
    }
    Arrays.sort(ns);
    return ns[ns.length / 2] / (double) size;
  }
}
