package dev.stride.optim;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.checkpoint.Checkpoint;
import dev.stride.checkpoint.CheckpointException;
import dev.stride.checkpoint.CheckpointPart;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slab-backed optimizer's checkpoint is the file of its tensors registered one by one, and loads
 * into either to the bit; a sharded optimizer's ranks save their shards, which merge into the file
 * of the unsharded optimizer over the whole slab, byte for byte; and that file splits back: each
 * rank loads its part of it, saves the file it saved before, and steps on to the same bits.
 */
class SlabCheckpointTest {
  /** Straddling tensors, as in {@link ShardedStepTest}: seven grid cells. */
  private static final long[][] SHAPES = {
    {300}, {40_000}, {17}, {5_000}, {128, 100}, {1}, {50_000}, {3}
  };

  /** Rules of every kind of state: elementwise, per tensor, per group and per parameter numbers. */
  private static final List<RuleCatalog.Config> RULES =
      RuleCatalog.all().stream()
          .filter(
              c ->
                  List.of(
                          "AdamW amsgrad",
                          "LAMB",
                          "Prodigy",
                          "ASGD averaging maximize",
                          "SGD momentum dampening",
                          "AdamWScheduleFree")
                      .contains(c.name()))
          .toList();

  @TempDir Path dir;

  /** Smaller, for the tests that cut no shards. */
  private static final long[][] SMALL = {{300}, {17}, {128, 10}, {1}, {2_000}};

  private static ParameterSlab slab(Arena arena) {
    return slab(arena, SHAPES);
  }

  private static ParameterSlab slab(Arena arena, long[][] shapes) {
    ParameterSlab.Builder b = ParameterSlab.builder();
    for (int i = 0; i < shapes.length; i++) {
      b.tensor("t" + i, shapes[i]);
    }
    return b.allocate(arena);
  }

  @Test
  void aSlabsFileLoadsIntoTensorByTensorRegistrationAndBackToTheBit() throws IOException {
    for (RuleCatalog.Config rule : RuleCatalog.all()) {
      try (Arena arena = Arena.ofShared();
          Optimizer<?> inSlab = rule.make();
          Optimizer<?> alone = rule.make();
          Optimizer<?> again = rule.make()) {
        ParameterSlab slab = slab(arena, SMALL);
        fill(slab, 3);
        inSlab.add(slab);
        for (int s = 0; s < 2; s++) {
          grads(slab, s);
          inSlab.step();
        }
        for (ParameterSlab.Tensor t : slab.tensors()) {
          alone
              .group(0)
              .add(
                  arena.allocate(t.value().byteSize(), 64),
                  arena.allocate(t.grad().byteSize(), 64),
                  t.shape());
        }
        again.add(slab(arena, SMALL));
        Path a = dir.resolve("slab.safetensors");
        Path b = dir.resolve("alone.safetensors");
        Path c = dir.resolve("again.safetensors");
        Checkpoint.of(inSlab).save(a);
        Checkpoint.of(alone).load(a);
        Checkpoint.of(alone).save(b);
        Checkpoint.of(again).load(b);
        Checkpoint.of(again).save(c);
        assertSameBytes(a, b, rule + ": the slab's file, loaded tensor by tensor and saved");
        assertSameBytes(a, c, rule + ": and loaded into a slab again and saved");
      }
    }
  }

  @Test
  void shardsMergeIntoTheUnshardedFileAndItSplitsBackIntoThem() throws Exception {
    for (RuleCatalog.Config rule : RULES) {
      for (int n : new int[] {1, 2, 3, 7}) {
        try (Arena arena = Arena.ofShared()) {
          String what = rule + " on " + n + " shards";
          ParameterSlab whole = slab(arena);
          ParameterSlab sharded = slab(arena);
          Optimizer<?> unsharded = rule.make();
          unsharded.add(whole);
          unsharded.setClipping(Clipping.byNorm(0.5));
          List<AllReduce> allReduce = AllReduce.inProcess(n);
          List<Optimizer<?>> ranks = ranks(rule, sharded, allReduce);
          fill(whole, 3);
          fill(sharded, 3);
          for (int s = 0; s < 2; s++) {
            grads(whole, s);
            grads(sharded, s);
            unsharded.step();
            Ranks.onEvery(n, r -> ranks.get(r).step());
          }
          Path full = dir.resolve("full.safetensors");
          Checkpoint.of(unsharded).save(full);
          List<Path> shards = new ArrayList<>();
          for (int r = 0; r < n; r++) {
            shards.add(dir.resolve("rank" + r + ".safetensors"));
            Checkpoint.of(ranks.get(r)).save(shards.get(r));
          }
          Path merged = dir.resolve("merged.safetensors");
          Checkpoint.merge(shards, merged);
          assertSameBytes(full, merged, what + ": the merged file");

          // split: fresh ranks over a fresh slab load their parts of the whole file
          ParameterSlab resumed = slab(arena);
          List<AllReduce> again = AllReduce.inProcess(n);
          List<Optimizer<?>> split = ranks(rule, resumed, again);
          for (int r = 0; r < n; r++) {
            Path mine = dir.resolve("split" + r + ".safetensors");
            Checkpoint.of(split.get(r)).load(full);
            Checkpoint.of(split.get(r)).save(mine);
            assertSameBytes(shards.get(r), mine, what + ": rank " + r + "'s part of the file");
            Checkpoint.of(split.get(r)).load(shards.get(r)); // its own file loads too
          }
          grads(whole, 2);
          grads(resumed, 2);
          unsharded.step();
          Ranks.onEvery(n, r -> split.get(r).step());
          assertArrayEquals(
              whole.values().toArray(JAVA_INT),
              resumed.values().toArray(JAVA_INT),
              what + ": a step after the split");
          unsharded.close();
          ranks.forEach(Optimizer::close);
          split.forEach(Optimizer::close);
        }
      }
    }
  }

  @Test
  void aShardsFileIsRefusedWhereItDoesNotFit() throws Exception {
    try (Arena arena = Arena.ofShared()) {
      ParameterSlab slab = slab(arena);
      List<Optimizer<?>> ranks = ranks(RULES.getFirst(), slab, AllReduce.inProcess(2));
      fill(slab, 3);
      grads(slab, 0);
      Ranks.onEvery(2, r -> ranks.get(r).step());
      Path rank0 = dir.resolve("rank0.safetensors");
      Path rank1 = dir.resolve("rank1.safetensors");
      Checkpoint.of(ranks.get(0)).save(rank0);
      Checkpoint.of(ranks.get(1)).save(rank1);
      CheckpointException other =
          assertThrows(CheckpointException.class, () -> Checkpoint.of(ranks.get(1)).load(rank0));
      assertTrue(other.getMessage().contains("holds shard 0 of 2"), other.getMessage());
      try (Optimizer<?> unsharded = RULES.getFirst().make()) {
        unsharded.add(slab(arena));
        CheckpointException merge =
            assertThrows(CheckpointException.class, () -> Checkpoint.of(unsharded).load(rank0));
        assertTrue(merge.getMessage().contains("merge the shards' files"), merge.getMessage());
      }
      CheckpointException half =
          assertThrows(
              CheckpointException.class,
              () -> Checkpoint.merge(List.of(rank0), dir.resolve("m.safetensors")));
      assertTrue(half.getMessage().contains("not one of the 1 files"), half.getMessage());
      CheckpointException twice =
          assertThrows(
              CheckpointException.class,
              () -> Checkpoint.merge(List.of(rank0, rank0), dir.resolve("m.safetensors")));
      assertTrue(twice.getMessage().contains("both hold shard 0"), twice.getMessage());
      ranks.forEach(Optimizer::close);
    }
  }

  @Test
  void partsEveryRankHoldsAlikeMerge() throws Exception {
    try (Arena arena = Arena.ofShared()) {
      ParameterSlab whole = slab(arena);
      ParameterSlab sharded = slab(arena);
      Optimizer<?> unsharded = RULES.getFirst().make();
      unsharded.add(whole);
      LossScaler scaler = new LossScaler(unsharded);
      List<Optimizer<?>> ranks = ranks(RULES.getFirst(), sharded, AllReduce.inProcess(3));
      List<LossScaler> scalers = ranks.stream().map(LossScaler::new).toList();
      fill(whole, 3);
      fill(sharded, 3);
      grads(whole, 0);
      grads(sharded, 0);
      scaler.step();
      Ranks.onEvery(3, r -> scalers.get(r).step());
      Path full = dir.resolve("full.safetensors");
      Checkpoint.of(unsharded).with("scaler", CheckpointPart.of(scaler)).save(full);
      List<Path> shards = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        shards.add(dir.resolve("rank" + r + ".safetensors"));
        Checkpoint.of(ranks.get(r))
            .with("scaler", CheckpointPart.of(scalers.get(r)))
            .save(shards.get(r));
      }
      Path merged = dir.resolve("merged.safetensors");
      Checkpoint.merge(shards, merged);
      assertSameBytes(full, merged, "with a loss scaler's part");
      unsharded.close();
      ranks.forEach(Optimizer::close);
    }
  }

  /** {@code n} sharded optimizers of {@code rule} over {@code slab}, clipped. */
  private static List<Optimizer<?>> ranks(
      RuleCatalog.Config rule, ParameterSlab slab, List<AllReduce> allReduce) {
    List<Optimizer<?>> out = new ArrayList<>();
    for (int r = 0; r < allReduce.size(); r++) {
      Optimizer<?> o = rule.make();
      o.setShard(slab.shard(r, allReduce.size()), allReduce.get(r));
      o.add(slab);
      o.setClipping(Clipping.byNorm(0.5));
      out.add(o);
    }
    return out;
  }

  private static void fill(ParameterSlab slab, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (ParameterSlab.Tensor t : slab.tensors()) {
      for (long i = 0; i < t.count(); i++) {
        t.value().setAtIndex(JAVA_FLOAT, i, (float) random.nextGaussian());
      }
    }
  }

  private static void grads(ParameterSlab slab, long step) {
    SplittableRandom random = new SplittableRandom(100 + step);
    for (ParameterSlab.Tensor t : slab.tensors()) {
      MemorySegment g = t.grad();
      for (long i = 0; i < t.count(); i++) {
        g.setAtIndex(JAVA_FLOAT, i, (float) (random.nextGaussian() * 1e-2));
      }
    }
  }

  private static void assertSameBytes(Path expected, Path actual, String what) throws IOException {
    byte[] a = Files.readAllBytes(expected);
    byte[] b = Files.readAllBytes(actual);
    if (!java.util.Arrays.equals(a, b)) {
      int at = java.util.Arrays.mismatch(a, b);
      String header =
          new String(
              b, 8, (int) Math.min(b.length - 8, 2000), java.nio.charset.StandardCharsets.UTF_8);
      throw new AssertionError(
          what
              + ": files differ at byte "
              + at
              + " ("
              + a.length
              + " and "
              + b.length
              + " bytes); the second's header begins "
              + header);
    }
  }
}
