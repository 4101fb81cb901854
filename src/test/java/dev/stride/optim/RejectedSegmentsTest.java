package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A segment the kernels cannot use is refused at registration, with a message naming the argument
 * and the segment, and is not half-registered: the optimizer steps its other parameters as before
 * and never writes the refused memory.
 */
class RejectedSegmentsTest {
  private static final int N = 8;
  private Arena arena;
  private Sgd sgd;
  private MemorySegment registered;

  @BeforeEach
  void oneParameterRegistered() {
    arena = Arena.ofConfined();
    sgd = new Sgd(SgdOptions.of(0.5).withMomentum(0.9));
    registered = NativeFloats.of(arena, NativeFloats.ramp(N, 1, 1));
    sgd.add(registered, NativeFloats.of(arena, NativeFloats.ramp(N, 1, 0)));
    sgd.step();
  }

  @AfterEach
  void close() {
    sgd.close();
    arena.close();
  }

  /** A bad segment in the place of the value or of the gradient, and what the message must show. */
  record Bad(String description, Function<Arena, MemorySegment> make) {
    @Override
    public String toString() {
      return description;
    }
  }

  static Stream<Arguments> badSegments() {
    List<Bad> bad =
        List.of(
            new Bad("read-only", a -> NativeFloats.allocate(a, N).asReadOnly()),
            new Bad("heap", a -> MemorySegment.ofArray(new float[N])),
            new Bad(
                "closed arena",
                a -> {
                  Arena closed = Arena.ofConfined();
                  MemorySegment s = NativeFloats.allocate(closed, N);
                  closed.close();
                  return s;
                }),
            new Bad(
                "odd byte size",
                a -> NativeFloats.allocate(a, N + 1).asSlice(0, N * Float.BYTES + 2)),
            new Bad(
                "not 4-byte aligned",
                a -> NativeFloats.allocate(a, N + 1).asSlice(2, N * Float.BYTES)));
    List<Arguments> out = new ArrayList<>();
    for (Bad b : bad) {
      out.add(Arguments.of("value", b));
      out.add(Arguments.of("grad", b));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{1} {0}")
  @MethodSource("badSegments")
  void badSegmentIsRefusedAndNothingRegistered(String argument, Bad bad) {
    MemorySegment segment = bad.make().apply(arena);
    MemorySegment good = NativeFloats.of(arena, NativeFloats.ramp(N, 10, 1));
    MemorySegment value = argument.equals("value") ? segment : good;
    MemorySegment grad = argument.equals("value") ? good : segment;

    IllegalArgumentException e = assertRefused(value, grad);
    assertTrue(
        e.getMessage().startsWith(argument + " ") && identifies(e.getMessage(), segment),
        "message should name " + argument + " and " + segment + ": " + e.getMessage());
  }

  @Test
  void differentLengthsAreRefusedNamingBoth() {
    MemorySegment value = NativeFloats.allocate(arena, N);
    MemorySegment grad = NativeFloats.allocate(arena, N + 1);
    IllegalArgumentException e = assertRefused(value, grad);
    assertTrue(
        e.getMessage().contains("value")
            && e.getMessage().contains("grad")
            && e.getMessage().contains(N + " and " + (N + 1)),
        e.getMessage());
  }

  @Test
  void sameParameterTwiceIsRefused() {
    IllegalArgumentException e = assertRefused(registered, NativeFloats.allocate(arena, N));
    assertTrue(
        e.getMessage().contains("value")
            && identifies(e.getMessage(), registered)
            && e.getMessage().contains("parameter 0 of group 0"),
        e.getMessage());
  }

  @Test
  void sameParameterInAnotherGroupIsRefused() {
    ParamGroup<SgdOptions> second = sgd.addGroup(SgdOptions.of(0.1));
    assertThrows(
        IllegalArgumentException.class,
        () -> second.add(registered, NativeFloats.allocate(arena, N)));
    assertEquals(0, second.size());
  }

  @Test
  void overlappingSliceIsRefusedButAdjacentOneIsNot() {
    long half = N / 2 * Float.BYTES;
    MemorySegment overlapping = registered.asSlice(half, half);
    assertRefused(overlapping, NativeFloats.allocate(arena, N / 2));

    MemorySegment buffer = NativeFloats.allocate(arena, 2 * N);
    sgd.add(buffer.asSlice(0, half), NativeFloats.allocate(arena, N / 2));
    sgd.add(buffer.asSlice(half, half), NativeFloats.allocate(arena, N / 2));
    assertEquals(3, sgd.group(0).size());
  }

  @Test
  void gradThatIsItsOwnValueIsRefused() {
    MemorySegment both = NativeFloats.allocate(arena, N);
    IllegalArgumentException e = assertRefused(both, both);
    assertTrue(
        e.getMessage().contains("overlap") && identifies(e.getMessage(), both), e.getMessage());
  }

  @Test
  void gradOverlappingARegisteredValueIsRefused() {
    IllegalArgumentException e = assertRefused(NativeFloats.allocate(arena, N), registered);
    assertTrue(e.getMessage().contains("parameter 0 of group 0"), e.getMessage());
  }

  /**
   * Asserts that {@code add(value, grad)} throws and leaves no trace: the group keeps its size, and
   * a following step updates the registered parameter and leaves the refused memory as it was.
   */
  private IllegalArgumentException assertRefused(MemorySegment value, MemorySegment grad) {
    var refused = NativeFloats.snapshot(readable(value, grad));
    var state = NativeFloats.snapshot(OptimizerProbe.state(sgd).toArray(MemorySegment[]::new));
    float[] before = NativeFloats.toArray(registered);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> sgd.add(value, grad));
    assertEquals(1, sgd.group(0).size());
    state.assertUnchanged("state after a refused add");

    sgd.step();
    refused.assertUnchanged("refused segments after a step");
    assertTrue(NativeFloats.toArray(registered)[0] != before[0], "the registered parameter steps");
    return e;
  }

  /** The refused segments a test can read, except memory of the registered parameter. */
  private MemorySegment[] readable(MemorySegment... segments) {
    return Stream.of(segments)
        .filter(s -> s.scope().isAlive() && registered.asOverlappingSlice(s).isEmpty())
        .toArray(MemorySegment[]::new);
  }

  /** Whether a message shows the segment: as a whole, or by its address and size. */
  private static boolean identifies(String message, MemorySegment s) {
    return message.contains(s.toString())
        || message.contains(Long.toHexString(s.address()))
            && message.contains(String.valueOf(s.byteSize()));
  }
}
