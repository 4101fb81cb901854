package dev.stride.optim;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A slab steps as one range (one parameter in the plan, whatever its tensor count) and, for rules
 * without reductions, to the bits of its tensors registered one by one; rules that reduce sum their
 * chunks on the slab's grid instead of each tensor's, so they agree to rounding. A slab whose
 * tensors' states differ (loaded so) steps them one by one, still to the same bits.
 */
class SlabStepTest {
  /** Odd lengths: padding between tensors; a long one over several grid cells. */
  private static final long[][] SHAPES = {{7}, {33, 20}, {40_000}, {1}, {256}, {3, 3}};

  private static final int STEPS = 3;

  private static ParameterSlab slab(Arena arena) {
    ParameterSlab.Builder b = ParameterSlab.builder();
    for (int i = 0; i < SHAPES.length; i++) {
      b.tensor("t" + i, SHAPES[i]);
    }
    return b.allocate(arena);
  }

  @Test
  void aSlabOf4096TensorsStepsAsOneRangeOfChunks() {
    try (Arena arena = Arena.ofShared();
        AdamW adamW = new AdamW(AdamOptions.ADAMW_DEFAULTS)) {
      ParameterSlab.Builder b = ParameterSlab.builder();
      for (int i = 0; i < 4096; i++) {
        b.tensor("t" + i, 256);
      }
      adamW.add(b.allocate(arena));
      adamW.step();
      Parameter[] planned = adamW.planParameters();
      assertEquals(1, planned.length, "one range");
      assertEquals(1 << 20, planned[0].count, "of every tensor");
      assertEquals(4096, adamW.group(0).size(), "4,096 tensors to checkpoint and measure");
    }
  }

  @Test
  void rulesWithoutReductionsStepASlabToTheBitsOfItsTensorsOneByOne() {
    for (RuleCatalog.Config rule : RuleCatalog.all()) {
      Optimizer<?> probe = rule.make();
      boolean reduces = probe.chunkResults() > 0;
      probe.close();
      try (Arena arena = Arena.ofShared()) {
        ParameterSlab slab = slab(arena);
        List<int[]> alone = runAlone(rule, arena, null);
        List<int[]> inSlab = runInSlab(rule, slab, null);
        for (int k = 0; k < alone.size(); k++) {
          if (reduces) {
            assertClose(alone.get(k), inSlab.get(k), rule + ", buffer " + k);
          } else {
            assertArrayEquals(alone.get(k), inSlab.get(k), rule + ", buffer " + k);
          }
        }
      }
    }
  }

  @Test
  void aSlabWhoseTensorsWereLoadedWithDifferentStatesStepsThemOneByOne() {
    for (RuleCatalog.Config rule : RuleCatalog.all()) {
      Optimizer<?> probe = rule.make();
      boolean reduces = probe.chunkResults() > 0;
      probe.close();
      if (reduces) {
        continue;
      }
      try (Arena arena = Arena.ofShared()) {
        ParameterSlab slab = slab(arena);
        List<int[]> alone = runAlone(rule, arena, 2);
        List<int[]> inSlab = runInSlab(rule, slab, 2);
        for (int k = 0; k < alone.size(); k++) {
          assertArrayEquals(alone.get(k), inSlab.get(k), rule + ", buffer " + k);
        }
      }
    }
  }

  @Test
  void zeroGradZeroesTheSlabsGradients() {
    try (Arena arena = Arena.ofShared();
        Sgd sgd = new Sgd(SgdOptions.of(0.1))) {
      ParameterSlab slab = slab(arena);
      sgd.add(slab);
      for (ParameterSlab.Tensor t : slab.tensors()) {
        t.grad().fill((byte) 1);
      }
      sgd.zeroGrad();
      for (ParameterSlab.Tensor t : slab.tensors()) {
        assertTrue(java.util.Arrays.stream(t.grad().toArray(JAVA_INT)).allMatch(x -> x == 0));
      }
    }
  }

  /** Starting values and every step's gradients, per tensor. */
  private static float[][][] data() {
    SplittableRandom random = new SplittableRandom(5);
    float[][][] out = new float[STEPS + 1][SHAPES.length][];
    for (int s = 0; s <= STEPS; s++) {
      for (int t = 0; t < SHAPES.length; t++) {
        long n = 1;
        for (long d : SHAPES[t]) {
          n *= d;
        }
        out[s][t] = new float[(int) n];
        for (int i = 0; i < n; i++) {
          out[s][t][i] = (float) (random.nextGaussian() * (s == 0 ? 1 : 1e-2));
        }
      }
    }
    return out;
  }

  private static List<int[]> runAlone(RuleCatalog.Config rule, Arena arena, Integer without) {
    float[][][] data = data();
    List<MemorySegment> values = new ArrayList<>();
    List<MemorySegment> grads = new ArrayList<>();
    for (int t = 0; t < SHAPES.length; t++) {
      values.add(arena.allocate((long) data[0][t].length * Float.BYTES, 64));
      grads.add(arena.allocate((long) data[0][t].length * Float.BYTES, 64));
      MemorySegment.copy(data[0][t], 0, values.get(t), JAVA_FLOAT, 0, data[0][t].length);
    }
    try (Optimizer<?> o = rule.make()) {
      groups(
          rule,
          o,
          (g, from, to) -> {
            for (int t = from; t < to; t++) {
              o.group(g).add(values.get(t), grads.get(t), SHAPES[t]);
            }
          });
      return steps(o, data, grads, without);
    }
  }

  private static List<int[]> runInSlab(
      RuleCatalog.Config rule, ParameterSlab slab, Integer without) {
    float[][][] data = data();
    List<MemorySegment> grads = new ArrayList<>();
    for (int t = 0; t < SHAPES.length; t++) {
      ParameterSlab.Tensor tensor = slab.tensor(t);
      MemorySegment.copy(data[0][t], 0, tensor.value(), JAVA_FLOAT, 0, data[0][t].length);
      grads.add(tensor.grad());
    }
    try (Optimizer<?> o = rule.make()) {
      groups(rule, o, (g, from, to) -> o.group(g).add(slab, from, to));
      List<int[]> out = steps(o, data, grads, without);
      int planned = o.planParameters().length;
      if (without == null) {
        assertEquals(o.stepsPerTensor() ? SHAPES.length : 2, planned, rule + ": one per range");
      } else {
        assertEquals(5, planned, rule + ": group 0's tensors one by one, group 1 as one");
      }
      return out;
    }
  }

  private interface Adder {
    void add(int group, int from, int to);
  }

  /** Tensors [0, 4) in group 0, the rest in a second group with other hyperparameters and L1. */
  @SuppressWarnings("unchecked")
  private static <H extends Hyperparameters<H>> void groups(
      RuleCatalog.Config rule, Optimizer<?> optimizer, Adder adder) {
    Optimizer<H> o = (Optimizer<H>) optimizer;
    o.addGroup(rule.secondGroup(o.group(0).hyperparameters())).setL1(1e-3);
    adder.add(0, 0, 4);
    adder.add(1, 4, SHAPES.length);
  }

  /**
   * {@link #STEPS} steps; with {@code without} a tensor, after the first step the state is loaded
   * back with that tensor's state left out, as a PyTorch state whose tensor had no gradient yet.
   */
  private static List<int[]> steps(
      Optimizer<?> o, float[][][] data, List<MemorySegment> grads, Integer without) {
    for (int s = 1; s <= STEPS; s++) {
      for (int t = 0; t < SHAPES.length; t++) {
        MemorySegment.copy(data[s][t], 0, grads.get(t), JAVA_FLOAT, 0, data[s][t].length);
      }
      o.step();
      if (s == 1 && without != null) {
        StateDict state = o.stateDict();
        List<StateDict.ParameterState> parameters = new ArrayList<>(state.parameters());
        StateDict.ParameterState p = parameters.get(without);
        parameters.set(
            without,
            new StateDict.ParameterState(
                p.count(), p.shape(), null, java.util.Map.of(), 0, java.util.Map.of()));
        o.loadStateDict(
            new StateDict(state.rule(), state.stepCount(), state.groups(), parameters), false);
      }
    }
    List<int[]> out = new ArrayList<>();
    for (ParamGroup<?> g : o.groups()) {
      for (Parameter p : g.parameters()) {
        out.add(p.value.toArray(JAVA_INT));
        for (int k = 0; k < p.stateSlots(); k++) {
          out.add(p.state(k).toArray(JAVA_INT));
        }
      }
    }
    return out;
  }

  private static void assertClose(int[] expected, int[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      float e = Float.intBitsToFloat(expected[i]);
      float a = Float.intBitsToFloat(actual[i]);
      assertTrue(
          Math.abs(e - a) <= 1e-5 * Math.max(1, Math.abs(e)),
          what + " element " + i + ": " + e + " against " + a);
    }
  }
}
