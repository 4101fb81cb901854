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
 * N shards of a slab stepped by N optimizers in one JVM, each on its own thread with an in-process
 * all-reduce, give the bits of one optimizer over the whole slab: for every rule of the catalog, N
 * = 1, 2, 3 and 7, two groups, clipping by norm, a loss scaler (so the guard) that skips a step
 * with an infinite gradient, and tensors that straddle the shards' boundaries. The shards step the
 * same slab memory, each its own range, so that after a step it holds what the whole optimizer's
 * holds.
 */
class ShardedStepTest {
  private static final int STEPS = 4;
  private static final int SKIPPED_STEP = 2;

  /**
   * Seven grid cells (98,304 < size ≤ 114,688): every rank of 7 has one. "b" and "g" straddle
   * boundaries for every N > 1, "e" is 2-D and "f", "c", "h" 1-D and odd.
   */
  private static final long[][] SHAPES = {
    {300}, {40_000}, {17}, {5_000}, {128, 100}, {1}, {50_000}, {3}
  };

  private static final int FIRST_GROUP = 5;

  /** The values to start from and every step's gradients, drawn once: zero in the padding. */
  private static final class Data {
    final float[] values;
    final float[][] grads = new float[STEPS][];
    final float[] scaled;

    Data() {
      try (Arena arena = Arena.ofConfined()) {
        ParameterSlab slab = slab(arena);
        int size = (int) slab.size();
        SplittableRandom random = new SplittableRandom(17);
        values = draw(slab, random, 1);
        for (int s = 0; s < STEPS; s++) {
          grads[s] = draw(slab, random, 1e-2);
        }
        scaled = new float[size];
      }
    }

    private static float[] draw(ParameterSlab slab, SplittableRandom random, double scale) {
      float[] out = new float[(int) slab.size()];
      for (ParameterSlab.Tensor t : slab.tensors()) {
        for (long i = 0; i < t.count(); i++) {
          out[(int) (t.offset() + i)] = (float) (random.nextGaussian() * scale);
        }
      }
      return out;
    }
  }

  private static final Data DATA = new Data();

  static ParameterSlab slab(Arena arena) {
    ParameterSlab.Builder b = ParameterSlab.builder();
    for (int i = 0; i < SHAPES.length; i++) {
      b.tensor("t" + (char) ('a' + i), SHAPES[i]);
    }
    return b.allocate(arena);
  }

  @Test
  void theSlabHasSevenGridCellsAndTensorsThatStraddle() {
    try (Arena arena = Arena.ofShared()) {
      ParameterSlab slab = slab(arena);
      assertEquals(7, (slab.size() + ParameterSlab.GRID - 1) / ParameterSlab.GRID);
      for (int n : new int[] {2, 3, 7}) {
        int straddling = 0;
        for (int r = 1; r < n; r++) {
          long b = slab.shard(r, n).from();
          for (ParameterSlab.Tensor t : slab.tensors()) {
            straddling += t.offset() < b && b < t.offset() + t.count() ? 1 : 0;
          }
        }
        assertTrue(straddling > 0, n + " shards: no tensor straddles");
      }
    }
  }

  @Test
  void everyRuleStepsTheSameBitsOnAnyNumberOfShards() throws Exception {
    for (RuleCatalog.Config rule : RuleCatalog.all()) {
      try (Arena arena = Arena.ofShared()) {
        ParameterSlab whole = slab(arena);
        Run reference = run(rule, whole, 1, false);
        assertEquals(List.of(true, true, false, true), reference.stepped, rule + ": the skip");
        assertTrue(reference.norms.getFirst() > 0.5, rule + ": clipped");
        for (int n : new int[] {1, 2, 3, 7}) {
          ParameterSlab sharded = slab(arena);
          Run run = run(rule, sharded, n, true);
          String what = rule + " on " + n + " shards";
          assertArrayEquals(bits(whole.values()), bits(sharded.values()), what + ": values");
          assertEquals(reference.stepped, run.stepped, what + ": which steps were taken");
          assertEquals(reference.norms, run.norms, what + ": clipped norms");
          assertEquals(reference.scaler, run.scaler, what + ": the loss scaler");
          assertEquals(reference.gradientNorms, run.gradientNorms, what + ": gradientNorms");
          assertEquals(reference.groupNumbers, run.groupNumbers, what + ": groups' numbers");
          for (int t = 0; t < SHAPES.length; t++) {
            for (int k = 0; k < reference.state.get(t).size(); k++) {
              assertArrayEquals(
                  reference.state.get(t).get(k),
                  run.state.get(t).get(k),
                  what + ": tensor " + t + ", " + rule.make().rule().stateKeys().get(k));
            }
          }
        }
      }
    }
  }

  @Test
  void aShardKeepsTheStateOfItsRangeAlone() throws Exception {
    try (Arena arena = Arena.ofShared()) {
      ParameterSlab slab = slab(arena);
      List<AllReduce> allReduce = AllReduce.inProcess(3);
      List<Adam> adams = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        Adam adam = new Adam(AdamOptions.ADAM_DEFAULTS);
        adam.setShard(slab.shard(r, 3), allReduce.get(r));
        adam.add(slab);
        adams.add(adam);
      }
      Ranks.onEvery(3, r -> adams.get(r).step());
      for (int r = 0; r < 3; r++) {
        long floats = 0;
        for (MemorySegment buffer : OptimizerProbe.state(adams.get(r))) {
          floats += buffer.byteSize() / Float.BYTES;
        }
        long tensors = 0;
        for (Parameter p : adams.get(r).group(0).parameters()) {
          tensors += p.count;
        }
        assertEquals(2 * tensors, floats, "rank " + r + ": exp_avg and exp_avg_sq of its part");
        assertTrue(tensors <= slab.shard(r, 3).size(), "rank " + r);
        adams.get(r).close();
      }
    }
  }

  @Test
  void aShardedOptimizerRefusesWhatItCannotStep() {
    try (Arena arena = Arena.ofShared();
        Sgd sgd = new Sgd(SgdOptions.of(0.1));
        Sgd late = new Sgd(SgdOptions.of(0.1))) {
      ParameterSlab slab = slab(arena);
      ParameterSlab other = slab(arena);
      sgd.setShard(slab.shard(0, 2), AllReduce.inProcess(1).getFirst());
      ParameterSlabTest.assertMessage(
          IllegalArgumentException.class,
          "add the slab, not segments",
          () -> sgd.add(arena.allocate(64), arena.allocate(64)));
      ParameterSlabTest.assertMessage(
          IllegalArgumentException.class, "sharded over another slab", () -> sgd.add(other));
      ParameterSlabTest.assertMessage(
          IllegalArgumentException.class,
          "sharded already",
          () -> sgd.setShard(slab.shard(1, 2), AllReduce.inProcess(1).getFirst()));
      late.add(slab);
      ParameterSlabTest.assertMessage(
          IllegalStateException.class,
          "set the shard before registering",
          () -> late.setShard(slab.shard(0, 2), AllReduce.inProcess(1).getFirst()));
      sgd.group(0).add(slab, 0, 2);
      ParameterSlabTest.assertMessage(
          IllegalArgumentException.class, "already registered", () -> sgd.group(0).add(slab, 1, 3));
      ParameterSlabTest.assertMessage(
          IllegalArgumentException.class, "not a range", () -> sgd.group(0).add(slab, 3, 3));
      ParameterSlabTest.assertMessage(
          IllegalArgumentException.class,
          "already registered",
          () -> late.add(slab.tensor(0).value(), arena.allocate(slab.tensor(0).grad().byteSize())));
      ParameterSlabTest.assertMessage(
          IllegalArgumentException.class,
          "write them into the tensor's grad() view",
          () -> late.group(0).setGrad(0, arena.allocate(slab.tensor(0).grad().byteSize())));
    }
  }

  @Test
  void ranksWhoseCallsDifferFailAlike() throws Exception {
    List<AllReduce> allReduce = AllReduce.inProcess(2);
    List<String> failures =
        Ranks.onEvery(
            2,
            r -> {
              try {
                allReduce.get(r).sum(new double[r + 1]);
                return "no failure";
              } catch (IllegalStateException e) {
                return e.getMessage().contains("the ranks' steps differ")
                    ? "failed"
                    : e.getMessage();
              }
            });
    assertEquals(List.of("failed", "failed"), failures);
    double[][] values = {{1, 2}, {10, 20}, {100, 200}};
    List<AllReduce> three = AllReduce.inProcess(3);
    Ranks.onEvery(
        3,
        r -> {
          three.get(r).sum(values[r]);
          return null;
        });
    for (double[] v : values) {
      assertArrayEquals(new double[] {111, 222}, v);
    }
  }

  /** What a run ends with, to compare. */
  private record Run(
      List<Boolean> stepped,
      List<Double> norms,
      List<LossScaler.State> scaler,
      List<Double> gradientNorms,
      List<List<Double>> groupNumbers,
      List<List<int[]>> state) {}

  /**
   * {@link #STEPS} steps of {@code rule} over {@code slab} on {@code n} ranks (one unsharded
   * optimizer if not {@code sharded}), with the same gradients whatever n.
   */
  private static Run run(RuleCatalog.Config rule, ParameterSlab slab, int n, boolean sharded)
      throws Exception {
    MemorySegment.copy(DATA.values, 0, slab.values(), JAVA_FLOAT, 0, DATA.values.length);
    List<AllReduce> allReduce = AllReduce.inProcess(n);
    List<Optimizer<?>> optimizers = new ArrayList<>();
    List<LossScaler> scalers = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      Optimizer<?> o = rule.make();
      if (sharded) {
        o.setShard(slab.shard(r, n), allReduce.get(r));
      }
      addGroups(rule, o, slab);
      o.setClipping(Clipping.byNorm(0.5));
      optimizers.add(o);
      scalers.add(new LossScaler(o, LossScalerOptions.DEFAULTS.withGrowthInterval(2)));
    }
    List<Boolean> stepped = new ArrayList<>();
    List<Double> norms = new ArrayList<>();
    for (int s = 0; s < STEPS; s++) {
      float scale = scalers.get(0).scale();
      float[] grads = DATA.grads[s];
      for (int i = 0; i < grads.length; i++) {
        DATA.scaled[i] = grads[i] * scale;
      }
      MemorySegment.copy(DATA.scaled, 0, slab.grads(), JAVA_FLOAT, 0, grads.length);
      if (s == SKIPPED_STEP) {
        slab.tensor(6).grad().setAtIndex(JAVA_FLOAT, 49_999, Float.POSITIVE_INFINITY);
      }
      List<Boolean> each = Ranks.onEvery(n, r -> scalers.get(r).step());
      assertTrue(each.stream().allMatch(each.getFirst()::equals), "ranks disagree: " + each);
      stepped.add(each.getFirst());
      norms.add(optimizers.getFirst().lastGradNorm());
    }
    List<List<Norms>> norms2AndMax =
        Ranks.onEvery(
            n,
            r ->
                List.of(
                    optimizers.get(r).gradientNorms(2),
                    optimizers.get(r).gradientNorms(Double.POSITIVE_INFINITY)));
    List<Double> g = new ArrayList<>();
    for (Norms norm : norms2AndMax.getFirst()) {
      g.add(norm.total());
      for (double x : norm.perParameter()) {
        g.add(x);
      }
    }
    List<List<Double>> groupNumbers = new ArrayList<>();
    for (ParamGroup<?> group : optimizers.getFirst().groups()) {
      List<Double> numbers = new ArrayList<>();
      for (double x : group.numbers) {
        numbers.add(x);
      }
      groupNumbers.add(numbers);
    }
    Run run =
        new Run(
            stepped,
            norms,
            scalers.stream().map(LossScaler::state).distinct().toList(),
            g,
            groupNumbers,
            state(optimizers));
    for (Optimizer<?> o : optimizers) {
      o.close();
    }
    return run;
  }

  @SuppressWarnings("unchecked")
  private static <H extends Hyperparameters<H>> void addGroups(
      RuleCatalog.Config rule, Optimizer<?> optimizer, ParameterSlab slab) {
    Optimizer<H> o = (Optimizer<H>) optimizer;
    o.group(0).add(slab, 0, FIRST_GROUP);
    ParamGroup<H> second = o.addGroup(rule.secondGroup(o.group(0).hyperparameters()));
    second.setL1(1e-3);
    second.add(slab, FIRST_GROUP, SHAPES.length);
  }

  /**
   * Per tensor, each state buffer's bits: the whole tensor's, put together from every rank's part.
   */
  private static List<List<int[]>> state(List<Optimizer<?>> optimizers) {
    List<List<int[]>> out = new ArrayList<>();
    for (int t = 0; t < SHAPES.length; t++) {
      List<int[]> buffers = new ArrayList<>();
      int slots = optimizers.getFirst().rule().stateKeys().size();
      for (int k = 0; k < slots; k++) {
        List<Integer> whole = new ArrayList<>();
        for (Optimizer<?> o : optimizers) {
          Parameter p = tensor(o, t);
          if (p.count > 0 && p.isAllocated(k)) {
            assertEquals(whole.size(), p.tensorOffset, "parts in rank order");
            for (int x : p.state(k).toArray(JAVA_INT)) {
              whole.add(x);
            }
          }
        }
        assertTrue(
            whole.isEmpty() || whole.size() == tensor(optimizers.getFirst(), t).tensor.count(),
            "every part of tensor " + t + " has slot " + k + " or none");
        buffers.add(whole.stream().mapToInt(Integer::intValue).toArray());
      }
      out.add(buffers);
    }
    return out;
  }

  private static Parameter tensor(Optimizer<?> o, int t) {
    for (ParamGroup<?> g : o.groups()) {
      for (Parameter p : g.parameters()) {
        if (p.tensor.index() == t) {
          return p;
        }
      }
    }
    throw new AssertionError("no tensor " + t);
  }

  private static int[] bits(MemorySegment s) {
    return s.toArray(JAVA_INT);
  }
}
