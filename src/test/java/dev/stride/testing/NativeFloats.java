package dev.stride.testing;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Float32 native segments for tests: allocated the way the optimizers allocate their state (64-byte
 * aligned), filled from arrays, and snapshotted to check that something left memory untouched.
 */
public final class NativeFloats {
  public static final long ALIGNMENT = 64;

  private NativeFloats() {}

  /** {@code count} zeroed floats, 64-byte aligned. */
  public static MemorySegment allocate(Arena arena, long count) {
    return arena.allocate(count * Float.BYTES, ALIGNMENT);
  }

  /** A 64-byte aligned copy of {@code values}. */
  public static MemorySegment of(Arena arena, float... values) {
    MemorySegment segment = allocate(arena, values.length);
    write(segment, values);
    return segment;
  }

  /** Overwrites the first {@code values.length} floats of {@code segment}. */
  public static void write(MemorySegment segment, float[] values) {
    MemorySegment.copy(values, 0, segment, JAVA_FLOAT, 0, values.length);
  }

  public static float[] toArray(MemorySegment segment) {
    return segment.toArray(JAVA_FLOAT);
  }

  /** {@code n} floats {@code start, start + step, …}: distinct, so a moved element shows. */
  public static float[] ramp(int n, float start, float step) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = start + i * step;
    }
    return out;
  }

  /** The bytes of some segments now, to compare with later. */
  public static Snapshot snapshot(MemorySegment... segments) {
    return new Snapshot(List.of(segments));
  }

  /** The bytes of some segments at one moment. */
  public static final class Snapshot {
    private final List<MemorySegment> segments;
    private final List<byte[]> bytes = new ArrayList<>();

    private Snapshot(List<MemorySegment> segments) {
      this.segments = segments;
      for (MemorySegment s : segments) {
        bytes.add(s.toArray(JAVA_BYTE));
      }
    }

    /** Fails naming the first segment and float whose bytes changed since the snapshot. */
    public void assertUnchanged(String what) {
      for (int k = 0; k < segments.size(); k++) {
        byte[] before = bytes.get(k);
        byte[] now = segments.get(k).toArray(JAVA_BYTE);
        for (int b = 0; b < before.length; b++) {
          if (before[b] != now[b]) {
            int i = b / Float.BYTES;
            MemorySegment was = MemorySegment.ofArray(before);
            fail(
                what
                    + ": segment "
                    + k
                    + " changed at float "
                    + i
                    + ": "
                    + was.getAtIndex(JAVA_FLOAT.withByteAlignment(1), i)
                    + " -> "
                    + segments.get(k).getAtIndex(JAVA_FLOAT.withByteAlignment(1), i));
          }
        }
      }
    }
  }
}
