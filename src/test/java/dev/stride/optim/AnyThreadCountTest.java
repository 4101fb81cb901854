package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A step gives the same bits on any number of threads, for every rule: 2, 3 and 8 threads (more
 * than this machine's cores) against one, over mixes of large tensors cut into several chunks,
 * small ones grouped into one unit, tensors in confined memory (which only the caller may touch),
 * and two groups.
 */
class AnyThreadCountTest {
  private static final int STEPS = 3;

  /**
   * Tensor lengths, and which live in confined memory; at least {@link Optimizer#PARALLEL_FROM}
   * floats.
   */
  record Mix(List<Integer> lengths, List<Boolean> confined, long seed) {
    @Override
    public String toString() {
      return "lengths " + lengths + ", confined " + confined + ", seed " + seed;
    }
  }

  @Property(tries = 10)
  void everyRuleStepsTheSameOnAnyThreadCount(
      @ForAll("mixes") Mix mix, @ForAll("threadCounts") int threads) {
    Data data = new Data(mix);
    for (RuleCatalog.Config rule : RuleCatalog.all()) {
      List<int[]> single = run(rule, mix, data, 1);
      List<int[]> parallel = run(rule, mix, data, threads);
      for (int k = 0; k < single.size(); k++) {
        assertArrayEquals(
            single.get(k),
            parallel.get(k),
            rule + " on " + threads + " threads, tensor " + k + " of " + mix);
      }
    }
  }

  /** A mix's starting values and its gradients of every step, drawn once for all rules. */
  private static final class Data {
    final float[][] values;
    final float[][][] grads;

    Data(Mix mix) {
      SplittableRandom random = new SplittableRandom(mix.seed());
      int tensors = mix.lengths().size();
      values = new float[tensors][];
      grads = new float[STEPS][tensors][];
      for (int k = 0; k < tensors; k++) {
        values[k] = gaussians(random, mix.lengths().get(k), 1);
        for (int s = 0; s < STEPS; s++) {
          grads[s][k] = gaussians(random, mix.lengths().get(k), 1e-2);
        }
      }
    }

    private static float[] gaussians(SplittableRandom random, int n, double scale) {
      float[] out = new float[n];
      for (int i = 0; i < n; i++) {
        out[i] = (float) (random.nextGaussian() * scale);
      }
      return out;
    }
  }

  /**
   * The bits of every value and state buffer after {@link #STEPS} steps on {@code threads} threads.
   */
  private static List<int[]> run(RuleCatalog.Config rule, Mix mix, Data data, int threads) {
    try (Arena shared = Arena.ofShared();
        Arena confined = Arena.ofConfined();
        Optimizer<?> optimizer = rule.make()) {
      optimizer.setThreads(threads);
      addSecondGroup(rule, optimizer);
      List<MemorySegment> grads = new ArrayList<>();
      for (int k = 0; k < mix.lengths().size(); k++) {
        Arena arena = mix.confined().get(k) ? confined : shared;
        MemorySegment grad = NativeFloats.allocate(arena, mix.lengths().get(k));
        optimizer.group(k % 2).add(NativeFloats.of(arena, data.values[k]), grad);
        grads.add(grad);
      }
      for (int s = 0; s < STEPS; s++) {
        for (int k = 0; k < grads.size(); k++) {
          NativeFloats.write(grads.get(k), data.grads[s][k]);
        }
        optimizer.step();
      }
      List<int[]> out = new ArrayList<>();
      for (ParamGroup<?> g : optimizer.groups()) {
        for (Parameter p : g.parameters()) {
          out.add(p.value.toArray(ValueLayout.JAVA_INT));
          for (int k = 0; k < p.stateSlots(); k++) {
            out.add(p.state(k).toArray(ValueLayout.JAVA_INT));
          }
        }
      }
      return out;
    }
  }

  @SuppressWarnings("unchecked")
  private static <H extends Hyperparameters<H>> void addSecondGroup(
      RuleCatalog.Config rule, Optimizer<?> optimizer) {
    Optimizer<H> o = (Optimizer<H>) optimizer;
    o.addGroup(rule.secondGroup(o.group(0).hyperparameters())).setL1(1e-3);
  }

  /** The plan's cut does not depend on the thread count: a worker's share is whole chunks. */
  @Example
  void chunksNeverCrossATensorAndAreWholeCacheLines() {
    List<Parameter> parameters = new ArrayList<>();
    try (Arena arena = Arena.ofShared()) {
      for (int n : new int[] {5, StepPlan.CHUNK * 2 + 3, 256, StepPlan.CHUNK, 1}) {
        parameters.add(
            new Parameter(
                0,
                NativeFloats.allocate(arena, n),
                NativeFloats.allocate(arena, n),
                new long[] {n},
                false,
                0,
                0,
                null));
      }
      StepPlan plan = new StepPlan(parameters);
      assertEquals(
          List.of(0, 1, 4, 5, 6, 7),
          java.util.Arrays.stream(plan.firstChunk).boxed().collect(Collectors.toList()),
          "chunks per tensor");
      for (int c = 0; c < plan.chunks(); c++) {
        Parameter p = plan.parameters[plan.chunkParameter[c]];
        assertTrue(
            plan.chunkOffset[c] + plan.chunkCount[c] <= p.count,
            "chunk " + c + " crosses its tensor's end");
        assertEquals(0, plan.chunkOffset[c] % 16, "chunk " + c + " starts inside a cache line");
      }
    }
  }

  @Provide
  Arbitrary<Mix> mixes() {
    Arbitrary<Integer> length =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(1, 3000)),
            net.jqwik.api.Tuple.of(
                2, Arbitraries.integers().between(StepPlan.CHUNK - 20, 2 * StepPlan.CHUNK + 50)));
    return length
        .list()
        .ofMinSize(2)
        .ofMaxSize(9)
        .filter(l -> l.stream().mapToLong(Integer::longValue).sum() >= Optimizer.PARALLEL_FROM)
        .flatMap(
            lengths ->
                Arbitraries.of(false, false, true)
                    .list()
                    .ofSize(lengths.size())
                    .flatMap(
                        confined ->
                            Arbitraries.longs().map(seed -> new Mix(lengths, confined, seed))));
  }

  @Provide
  Arbitrary<Integer> threadCounts() {
    return Arbitraries.of(2, 3, 8);
  }
}
