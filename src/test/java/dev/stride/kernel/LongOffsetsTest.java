package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Element offsets past 2^31 work: a tensor may hold more elements than an int can count. */
class LongOffsetsTest {
  private static final long OFFSET = (1L << 31) + 7;
  private static final int COUNT = 37;

  @TempDir Path dir;

  @Test
  void sgdUpdatesASliceBeyondTwoToTheThirtyOne() throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment p = sparse(arena, "p");
      MemorySegment g = sparse(arena, "g");
      for (int i = 0; i < COUNT; i++) {
        p.setAtIndex(JAVA_FLOAT, OFFSET + i, i);
        g.setAtIndex(JAVA_FLOAT, OFFSET + i, 2f);
      }
      SgdKernel.Coefficients c =
          new SgdKernel.Coefficients().set(0.25, 0, 0, 0, false, false, false);
      KernelSet.vector()
          .get(SgdKernel.class)
          .update(c, p, g, MemorySegment.NULL, OFFSET, COUNT - 5);
      KernelSet.scalar()
          .get(SgdKernel.class)
          .update(c, p, g, MemorySegment.NULL, OFFSET + COUNT - 5, 5);
      for (int i = 0; i < COUNT; i++) {
        assertEquals(i - 0.5f, p.getAtIndex(JAVA_FLOAT, OFFSET + i), "element " + i);
      }
      assertEquals(0f, p.getAtIndex(JAVA_FLOAT, OFFSET - 1));
      assertEquals(0f, p.getAtIndex(JAVA_FLOAT, OFFSET + COUNT));
    }
  }

  /** A file mapping larger than 8 GiB whose untouched pages take no memory or disk. */
  private MemorySegment sparse(Arena arena, String name) throws IOException {
    long bytes = (OFFSET + COUNT + 1) * Float.BYTES;
    try (FileChannel file =
        FileChannel.open(
            dir.resolve(name),
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE,
            StandardOpenOption.SPARSE)) {
      return file.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
    }
  }
}
