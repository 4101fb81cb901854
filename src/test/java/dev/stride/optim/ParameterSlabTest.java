package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** The slab's layout, its views and shards, and the arguments it refuses. */
class ParameterSlabTest {

  @Test
  void tensorsStartOnCacheLinesOneAfterAnotherAndTheirViewsAreTheirs() {
    try (Arena arena = Arena.ofConfined()) {
      ParameterSlab slab =
          ParameterSlab.builder()
              .tensor("w", 3, 5)
              .tensor("b", 5)
              .tensor("scalar")
              .tensor("empty", 0, 4)
              .tensor("last", 33)
              .allocate(arena);
      long[] offsets = slab.tensors().stream().mapToLong(ParameterSlab.Tensor::offset).toArray();
      assertArrayEquals(new long[] {0, 16, 32, 48, 48}, offsets);
      assertArrayEquals(new long[] {3, 5}, slab.tensor("w").shape());
      assertEquals(1, slab.tensor("scalar").count(), "a shape [] holds one element");
      assertEquals(0, slab.tensor("empty").count());
      assertEquals(96, slab.size(), "padded to a cache line");
      assertEquals(0, slab.values().address() % 4096, "values start on a page");
      assertEquals(512, slab.grads().address() % 4096, "gradients an eighth of a page further");
      ParameterSlab.Tensor b = slab.tensor("b");
      assertEquals(slab.values().address() + 16 * Float.BYTES, b.value().address());
      assertEquals(5 * Float.BYTES, b.grad().byteSize());
      assertEquals(1, b.index());
      assertEquals(b, slab.tensor(1));
    }
  }

  @Test
  void shardsCutTheSlabOnTheGridInRankOrder() {
    try (Arena arena = Arena.ofConfined()) {
      int grid = ParameterSlab.GRID;
      ParameterSlab slab = ParameterSlab.builder().tensor("w", 5 * grid + 7).allocate(arena);
      long[][] expected = {{0, 2 * grid}, {2 * grid, 4 * grid}, {4 * grid, slab.size()}};
      for (int r = 0; r < 3; r++) {
        ParameterSlab.Shard s = slab.shard(r, 3);
        assertArrayEquals(expected[r], new long[] {s.from(), s.to()}, "shard " + r);
        assertEquals(s.size() * Float.BYTES, s.values().byteSize());
      }
      ParameterSlab.Shard empty = slab.shard(7, 8);
      assertEquals(0, empty.size(), "more ranks than grid cells: the last shards are empty");
      ParameterSlab even =
          ParameterSlab.builder().tensor("w", 5 * grid + 7).shardable(4).allocate(arena);
      assertEquals(8L * grid, even.size());
      for (int r = 0; r < 4; r++) {
        assertEquals(2L * grid, even.shard(r, 4).size(), "shardable(4): equal shards");
      }
    }
  }

  @Test
  void badTensorsAndShardsAreRefusedByName() {
    ParameterSlab.Builder b = ParameterSlab.builder().tensor("w", 2);
    assertMessage(IllegalArgumentException.class, "already named \"w\"", () -> b.tensor("w", 3));
    assertMessage(IllegalArgumentException.class, "must not be empty", () -> b.tensor("", 3));
    assertMessage(IllegalArgumentException.class, "negative dimension", () -> b.tensor("x", 2, -1));
    assertMessage(
        IllegalArgumentException.class,
        "at least one tensor",
        () -> ParameterSlab.builder().allocate(Arena.global()));
    try (Arena arena = Arena.ofConfined()) {
      ParameterSlab slab = b.allocate(arena);
      assertMessage(
          IllegalArgumentException.class, "no tensor named \"v\"", () -> slab.tensor("v"));
      assertMessage(
          IllegalArgumentException.class, "rank must be in [0, 2)", () -> slab.shard(2, 2));
      assertMessage(IllegalArgumentException.class, "ranks must be > 0", () -> slab.shard(0, 0));
    }
  }

  /** A slab's tensors keep float32 state: a group of reduced precision refuses them, both ways. */
  @Test
  void aSlabRefusesReducedPrecisionState() {
    try (Arena arena = Arena.ofConfined();
        AdamW quantized = new AdamW(AdamOptions.ADAMW_DEFAULTS);
        AdamW slabbed = new AdamW(AdamOptions.ADAMW_DEFAULTS)) {
      ParameterSlab slab = ParameterSlab.builder().tensor("w", 8192).allocate(arena);
      quantized.group(0).setStatePrecision(StatePrecision.torchao8bit());
      assertMessage(
          IllegalArgumentException.class, "keep float32 state", () -> quantized.add(slab));
      slabbed.add(slab);
      assertMessage(
          IllegalArgumentException.class,
          "keep float32 state, not",
          () -> slabbed.group(0).setStatePrecision(StatePrecision.BF16));
    }
  }

  static void assertMessage(Class<? extends Throwable> type, String part, Runnable r) {
    Throwable t = assertThrows(type, r::run);
    assertTrue(t.getMessage().contains(part), "message: " + t.getMessage());
  }
}
