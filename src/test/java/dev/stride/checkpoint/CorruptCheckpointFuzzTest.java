package dev.stride.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stride.golden.GoldenFiles;
import dev.stride.optim.Adam;
import dev.stride.optim.AdamOptions;
import dev.stride.optim.Optimizer;
import dev.stride.optim.Sgd;
import dev.stride.optim.SgdOptions;
import dev.stride.schedule.ScheduleBinding;
import dev.stride.schedule.Schedules;
import dev.stride.testing.NativeFloats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Damaged files, made by jqwik from a good one (truncated, bits flipped, bytes overwritten or
 * inserted, the header length replaced, a run of the header overwritten), never make a load throw
 * anything but a {@link CheckpointException}, and never change the optimizer when it does. A file
 * Stride wrote is checksummed throughout, so every change to it is refused; a PyTorch file has no
 * checksums, so a change to its data may load.
 */
class CorruptCheckpointFuzzTest {
  private static Path dir;
  private static byte[] strideFile;
  private static byte[] pytorchFile;

  /** One way of damaging a file, at a position and with a value drawn from the whole range. */
  record Damage(String kind, double where, long value, int length) {
    byte[] apply(byte[] file) {
      int at = (int) Math.min(file.length - 1, Math.floor(where * file.length));
      byte[] out = file.clone();
      switch (kind) {
        case "truncate" -> out = Arrays.copyOf(file, at);
        case "flip" -> out[at] ^= (byte) (1 << (value & 7));
        case "overwrite" -> out[at] = (byte) (out[at] + 1 + (value & 0xFE));
        case "insert" -> {
          out = new byte[file.length + length];
          System.arraycopy(file, 0, out, 0, at);
          Arrays.fill(out, at, at + length, (byte) value);
          System.arraycopy(file, at, out, at + length, file.length - at);
        }
        case "length" -> {
          long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
          ByteBuffer.wrap(out)
              .order(ByteOrder.LITTLE_ENDIAN)
              .putLong(0, value == n ? n + 1 : value);
        }
        case "header" -> {
          long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
          int from = 8 + (int) (where * n);
          for (int i = from; i < Math.min(from + length, 8 + n); i++) {
            out[i] = (byte) (' ' + Math.floorMod(value + i * 31L, 95));
          }
        }
        default -> throw new IllegalArgumentException(kind);
      }
      return out;
    }
  }

  @BeforeContainer
  static void files() throws IOException {
    dir = Files.createTempDirectory("stride-fuzz");
    try (Arena arena = Arena.ofConfined();
        Adam adam = adam(arena)) {
      Path file = dir.resolve("stride.safetensors");
      Checkpoint.of(adam).with("schedule", CheckpointPart.of(schedule(adam))).save(file);
      strideFile = Files.readAllBytes(file);
    }
    pytorchFile =
        Files.readAllBytes(GoldenFiles.file("golden", "checkpoints/ckpt-sgd-nesterov.safetensors"));
  }

  @AfterContainer
  static void delete() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  private static Adam adam(Arena arena) {
    Adam adam = new Adam(AdamOptions.ADAM_DEFAULTS.withLr(0.01).withAmsgrad(true));
    adam.add(
        NativeFloats.of(arena, NativeFloats.ramp(37, 0.5f, 0.1f)),
        NativeFloats.of(arena, NativeFloats.ramp(37, -1f, 0.05f)));
    adam.addGroup(AdamOptions.ADAM_DEFAULTS)
        .add(
            NativeFloats.of(arena, NativeFloats.ramp(5, -1f, 0.2f)),
            NativeFloats.of(arena, NativeFloats.ramp(5, 0.3f, 0.1f)));
    adam.step();
    adam.step();
    return adam;
  }

  private static ScheduleBinding<AdamOptions> schedule(Adam adam) {
    ScheduleBinding<AdamOptions> binding =
        ScheduleBinding.of(adam).lr(Schedules.cosine(0.01, 0, 100));
    binding.resumeAt(2);
    return binding;
  }

  @Property(tries = 400)
  void aDamagedStrideFileIsRefusedAndChangesNothing(@ForAll("damage") Damage damage) {
    byte[] bad = damage.apply(strideFile);
    if (Arrays.equals(bad, strideFile)) {
      return;
    }
    try (Arena arena = Arena.ofConfined();
        Adam adam = adam(arena)) {
      ScheduleBinding<AdamOptions> binding = schedule(adam);
      binding.resumeAt(7);
      CheckpointRefusalTest.Unchanged unchanged = new CheckpointRefusalTest.Unchanged(adam);
      Throwable thrown =
          load(adam, bad, Checkpoint.of(adam).with("schedule", CheckpointPart.of(binding)));
      if (!(thrown instanceof CheckpointException)) {
        fail(damage + " was " + (thrown == null ? "loaded" : "refused with " + thrown), thrown);
      }
      unchanged.check();
      if (binding.nextStep() != 7) {
        fail(damage + " moved the schedule");
      }
    }
  }

  @Property(tries = 400)
  void aDamagedPyTorchFileIsRefusedOrLoadsButNeverThrowsAnythingElse(
      @ForAll("damage") Damage damage) {
    byte[] bad = damage.apply(pytorchFile);
    try (Arena arena = Arena.ofConfined();
        Sgd sgd = new Sgd(SgdOptions.of(0.05).withMomentum(0.9).withNesterov(true))) {
      sgd.add(NativeFloats.allocate(arena, 101), NativeFloats.allocate(arena, 101));
      CheckpointRefusalTest.Unchanged unchanged = new CheckpointRefusalTest.Unchanged(sgd);
      Throwable thrown = load(sgd, bad, Checkpoint.of(sgd));
      if (thrown != null && !(thrown instanceof CheckpointException)) {
        fail(damage + " was refused with " + thrown, thrown);
      }
      if (thrown != null) {
        unchanged.check();
      }
    }
  }

  @Property(tries = 20)
  void anUndamagedFileLoads(@ForAll("damage") Damage unused) {
    try (Arena arena = Arena.ofConfined();
        Adam adam = adam(arena)) {
      assertArrayEquals(
          new Object[] {null},
          new Object[] {
            load(
                adam,
                strideFile,
                Checkpoint.of(adam).with("schedule", CheckpointPart.of(schedule(adam))))
          });
    }
  }

  /** What loading {@code bytes} threw, or null. */
  private static Throwable load(Optimizer<?> o, byte[] bytes, Checkpoint checkpoint) {
    try {
      Path file = Files.createTempFile(dir, "damaged", ".safetensors");
      try {
        Files.write(file, bytes);
        checkpoint.load(file);
        return null;
      } catch (Throwable t) {
        return t;
      } finally {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Provide
  Arbitrary<Damage> damage() {
    return Combinators.combine(
            Arbitraries.of("truncate", "flip", "overwrite", "insert", "length", "header"),
            Arbitraries.doubles().between(0, 1),
            Arbitraries.longs(),
            Arbitraries.integers().between(1, 40))
        .as(Damage::new);
  }
}
