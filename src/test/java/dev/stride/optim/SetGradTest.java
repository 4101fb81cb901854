package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ParamGroup#setGrad} replaces a registered parameter's gradient from the next step on,
 * checked as {@code add} checks it, without allocating: the step reads the new memory, the old is
 * never read again, and a refused gradient changes nothing.
 */
class SetGradTest {
  private static final int N = 8;
  private Arena arena;
  private Sgd sgd;
  private MemorySegment w0;
  private MemorySegment w1;
  private MemorySegment g1;

  @BeforeEach
  void twoParameters() {
    arena = Arena.ofShared();
    sgd = new Sgd(SgdOptions.of(0.5).withMomentum(0.9));
    w0 = NativeFloats.of(arena, NativeFloats.ramp(N, 1, 1));
    w1 = NativeFloats.of(arena, NativeFloats.ramp(N, 2, 1));
    g1 = NativeFloats.of(arena, NativeFloats.ramp(N, 1, 0));
    sgd.add(w0, NativeFloats.of(arena, NativeFloats.ramp(N, 1, 0)));
    sgd.add(w1, g1);
    sgd.step();
  }

  @AfterEach
  void close() {
    sgd.close();
    arena.close();
  }

  @Test
  void theStepReadsTheReplacingGradientAndNeverTheReplacedOne() {
    // the same run, once with the gradient copied into the registered memory, once replaced
    try (Sgd copied = new Sgd(SgdOptions.of(0.5).withMomentum(0.9))) {
      MemorySegment v = NativeFloats.of(arena, NativeFloats.ramp(N, 2, 1));
      MemorySegment g = NativeFloats.of(arena, NativeFloats.ramp(N, 1, 0));
      copied.add(v, g);
      copied.step();
      for (int step = 0; step < 3; step++) {
        float[] next = NativeFloats.ramp(N, step - 1.5f, 0.25f);
        NativeFloats.write(g, next);
        copied.step();
        MemorySegment fresh = NativeFloats.of(arena, next);
        sgd.group(0).setGrad(1, fresh);
        g1.fill((byte) 0x7f); // NaNs in the memory it replaced
        g1 = fresh;
        sgd.step();
        assertArrayEquals(NativeFloats.toArray(v), NativeFloats.toArray(w1), "step " + step);
      }
    }
  }

  @Test
  void replacingAGradientAllocatesNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    MemorySegment[] grads = new MemorySegment[64];
    for (int i = 0; i < grads.length; i++) {
      grads[i] = NativeFloats.allocate(arena, N);
    }
    long allocated = 0;
    for (int round = 0; round < 20_000; round++) { // until the JIT has compiled it
      long before = threads.getCurrentThreadAllocatedBytes();
      sgd.group(0).setGrad(1, grads[round % grads.length]);
      allocated = threads.getCurrentThreadAllocatedBytes() - before;
    }
    assertEquals(0, allocated, "bytes allocated by the last setGrad");
  }

  /** A gradient setGrad refuses, and what its message must say. */
  record Bad(String description, String message, Function<SetGradTest, MemorySegment> make) {
    @Override
    public String toString() {
      return description;
    }
  }

  static Stream<Bad> badGradients() {
    return Stream.of(
        new Bad("heap", "native", t -> MemorySegment.ofArray(new float[N])),
        new Bad("read-only", "read-only", t -> NativeFloats.allocate(t.arena, N).asReadOnly()),
        new Bad(
            "closed arena",
            "closed arena",
            t -> {
              Arena closed = Arena.ofShared();
              MemorySegment s = NativeFloats.allocate(closed, N);
              closed.close();
              return s;
            }),
        new Bad(
            "not 4-byte aligned",
            "4-byte aligned",
            t -> NativeFloats.allocate(t.arena, N + 1).asSlice(2, N * Float.BYTES)),
        new Bad(
            "shorter than the value",
            "the length of parameter 1's value, 8 floats, got 7",
            t -> NativeFloats.allocate(t.arena, N - 1)),
        new Bad("its own value", "overlaps the value of parameter 1 of group 0", t -> t.w1),
        new Bad(
            "another parameter's value",
            "overlaps parameter 0 of group 0",
            t -> t.w0.asSlice(Float.BYTES, (N - 1) * Float.BYTES).reinterpret(N * Float.BYTES)),
        new Bad(
            "confined to a thread",
            "is confined to one thread, the gradient it replaces was not",
            t -> NativeFloats.allocate(Arena.ofConfined(), N)));
  }

  @ParameterizedTest(name = "a gradient {0} is refused and changes nothing")
  @MethodSource("badGradients")
  void aRefusedGradientChangesNothing(Bad bad) {
    MemorySegment replacement = bad.make().apply(this);
    float[] before = NativeFloats.toArray(w1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> sgd.group(0).setGrad(1, replacement));
    assertTrue(e.getMessage().contains(bad.message()), e.getMessage());
    sgd.step(); // still with the registered gradient
    float[] expected = before.clone();
    try (Sgd same = new Sgd(SgdOptions.of(0.5).withMomentum(0.9))) {
      MemorySegment v = NativeFloats.of(arena, NativeFloats.ramp(N, 2, 1));
      same.add(v, NativeFloats.of(arena, NativeFloats.ramp(N, 1, 0)));
      same.step();
      same.step();
      expected = NativeFloats.toArray(v);
    }
    assertArrayEquals(expected, NativeFloats.toArray(w1));
  }

  @Test
  void anotherParametersGradientIsRefusedAndTheReplacedOneCanBeTakenAgain() {
    MemorySegment fresh = NativeFloats.allocate(arena, N);
    sgd.group(0).setGrad(1, fresh);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> sgd.group(0).setGrad(0, fresh));
    assertTrue(e.getMessage().contains("overlaps parameter 1 of group 0"), e.getMessage());
    sgd.group(0).setGrad(0, g1); // free again since parameter 1 let it go
    assertThrows(IndexOutOfBoundsException.class, () -> sgd.group(0).setGrad(2, fresh));
  }

  @Test
  void aGradientWhoseArenaClosesStopsTheStepBeforeAnythingIsWritten() {
    Arena own = Arena.ofShared();
    sgd.group(0).setGrad(1, NativeFloats.of(own, NativeFloats.ramp(N, 1, 0)));
    sgd.step();
    own.close();
    float[] before0 = NativeFloats.toArray(w0);
    float[] before1 = NativeFloats.toArray(w1);
    IllegalStateException e = assertThrows(IllegalStateException.class, sgd::step);
    assertTrue(e.getMessage().contains("parameter 1 of group 0"), e.getMessage());
    assertArrayEquals(before0, NativeFloats.toArray(w0));
    assertArrayEquals(before1, NativeFloats.toArray(w1));
    assertEquals(2, sgd.stepCount());
  }

  @Test
  void overlapChecksHoldOverManyParameters() {
    // registered in a scrambled order of addresses; each gradient replaced by its neighbour's slot
    MemorySegment block = NativeFloats.allocate(arena, 2 * 200 * N);
    List<MemorySegment> slots = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      slots.add(block.asSlice((long) i * N * Float.BYTES, N * Float.BYTES));
    }
    try (Sgd many = new Sgd(SgdOptions.of(0.1))) {
      for (int i = 0; i < 200; i++) {
        int k = (i * 37) % 200;
        many.add(slots.get(2 * k), slots.get(2 * k + 1));
      }
      MemorySegment spare = NativeFloats.allocate(arena, N);
      for (int i = 0; i < 200; i++) {
        int k = (i * 37) % 200;
        int neighbour = (k + 1) % 200;
        IllegalArgumentException e =
            assertThrows(
                IllegalArgumentException.class,
                () -> many.group(0).setGrad(0, slots.get(2 * neighbour)),
                "the value of registered parameter " + neighbour);
        assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
        many.group(0).setGrad(i, spare);
        many.group(0).setGrad(i, slots.get(2 * k + 1)); // and back
      }
      many.step();
    }
  }
}
