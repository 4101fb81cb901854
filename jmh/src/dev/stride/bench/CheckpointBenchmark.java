package dev.stride.bench;

import dev.stride.checkpoint.Checkpoint;
import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.StateDict;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Saving and loading an AdamW checkpoint of {@value #ELEMENTS} parameters (the values, exp_avg and
 * exp_avg_sq: {@value #BYTES} bytes), against a plain copy of the same bytes along the same I/O
 * path: written with {@link FileChannel} from the segments to a temporary file, forced to disk and
 * renamed; read back through a mapped segment into them. What the checkpoint adds is the header,
 * the CRC32Cs (computed while writing, checked before loading) and the checks. The files are in
 * {@code target/}, on the project's disk; a load reads what the save left in the page cache, as a
 * resume right after a save does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class CheckpointBenchmark {
  public static final int ELEMENTS = 1 << 24;
  public static final long BYTES = 3L * ELEMENTS * Float.BYTES;

  private Arena arena;
  private AdamW adamw;
  private Checkpoint checkpoint;
  private List<MemorySegment> segments;

  /**
   * Where the plain read puts the bytes: the optimizer's own state is not the caller's to write.
   */
  private List<MemorySegment> readInto;

  private Path dir;
  private Path file;
  private Path copy;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    arena = Arena.ofShared();
    MemorySegment value = arena.allocate((long) ELEMENTS * Float.BYTES, 4096);
    MemorySegment grad = arena.allocate((long) ELEMENTS * Float.BYTES, 4096);
    Data.PARAM.fill(value);
    Data.GRAD.fill(grad);
    adamw = new AdamW(AdamOptions.ADAMW_DEFAULTS);
    adamw.add(value, grad);
    adamw.step(); // allocates and fills exp_avg and exp_avg_sq
    StateDict state = adamw.stateDict();
    segments = new ArrayList<>(List.of(state.parameters().get(0).value()));
    segments.addAll(state.parameters().get(0).buffers().values());
    readInto = new ArrayList<>();
    for (MemorySegment s : segments) {
      readInto.add(arena.allocate(s.byteSize(), 4096));
    }
    checkpoint = Checkpoint.of(adamw);
    dir = Files.createDirectories(Path.of("target", "bench-checkpoints"));
    file = dir.resolve("adamw.safetensors");
    copy = dir.resolve("copy.bin");
    checkpoint.save(file);
    plainWrite();
  }

  /** Nanoseconds of the checkpoint's and of the plain copy's calls, and calls. */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Nanos {
    public long checkpoint;
    public long plain;
    public long calls;

    @Setup(Level.Iteration)
    public void reset() {
      checkpoint = plain = calls = 0;
    }
  }

  private long call;

  /** {@code Checkpoint.save} and {@link #plainWrite} in turn, the order alternating. */
  @Benchmark
  public void write(Nanos nanos) throws IOException {
    inTurn(nanos, () -> checkpoint.save(file), this::plainWrite);
  }

  /** {@code Checkpoint.load} and {@link #plainRead} in turn, the order alternating. */
  @Benchmark
  public void read(Nanos nanos) throws IOException {
    inTurn(nanos, () -> checkpoint.load(file), this::plainRead);
  }

  private interface Io {
    void run() throws IOException;
  }

  private void inTurn(Nanos nanos, Io stride, Io plain) throws IOException {
    for (int position = 0; position < 2; position++) {
      boolean first = InTurn.variant(call, position, 2) == 0;
      long start = System.nanoTime();
      (first ? stride : plain).run();
      long t = System.nanoTime() - start;
      if (first) {
        nanos.checkpoint += t;
      } else {
        nanos.plain += t;
      }
    }
    call++;
    nanos.calls++;
  }

  /** The same bytes from the same segments: FileChannel writes, force, rename. */
  void plainWrite() throws IOException {
    Path temporary = dir.resolve(".copy.tmp");
    try (FileChannel channel =
        FileChannel.open(
            temporary,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      long position = 0;
      for (MemorySegment s : segments) {
        var buffer = s.asByteBuffer();
        while (buffer.hasRemaining()) {
          position += channel.write(buffer, position);
        }
      }
      channel.force(true);
    }
    Files.move(
        temporary, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The same bytes back into segments of the same sizes through a mapped segment. */
  void plainRead() throws IOException {
    try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.READ);
        Arena mapping = Arena.ofConfined()) {
      MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), mapping);
      long at = 0;
      for (MemorySegment s : readInto) {
        s.copyFrom(mapped.asSlice(at, s.byteSize()));
        at += s.byteSize();
      }
    }
  }

  /**
   * The Markdown section of {@link BenchmarkTable}: ms and GB/s per operation, and against the
   * copy.
   */
  static void report(
      java.util.Collection<org.openjdk.jmh.results.RunResult> runs, java.io.PrintStream out) {
    out.printf(
        "### Checkpoints%n%nAn AdamW state of %,d parameters (values, exp_avg, exp_avg_sq: %,d"
            + " bytes) in target/, against a plain copy of the same bytes along the same I/O"
            + " path.%n%n",
        ELEMENTS, BYTES);
    out.println(
        "| operation | checkpoint ms | GB/s | plain copy ms | GB/s | checkpoint's rate, of the"
            + " copy's |");
    out.println("|---|--:|--:|--:|--:|--:|");
    for (var r : runs) {
      String name = r.getParams().getBenchmark();
      InTurnMedians m = InTurnMedians.of(r);
      double stride = m.ns("checkpoint") / 1e6;
      double plain = m.ns("plain") / 1e6;
      out.printf(
          "| %s | %.1f | %.2f | %.1f | %.2f | %.0f %% |%n",
          name.endsWith("write") ? "save" : "load",
          stride,
          BYTES / (stride * 1e6),
          plain,
          BYTES / (plain * 1e6),
          100 * m.ratio("plain", "checkpoint"));
    }
    out.println();
    out.println(
        "save: the header, each tensor's CRC32C computed while it is written, a temporary file,"
            + " force, rename; the copy: the same bytes written from the same segments, forced and"
            + " renamed. load: the header and layout checked, every CRC32C checked, then the copy"
            + " from the mapped file; the copy: the mapped copy alone. Both called in turn in one"
            + " fork; a load reads what the save left in the page cache. Target: the checkpoint at"
            + " least half the copy's rate.");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    adamw.close();
    arena.close();
    Files.deleteIfExists(file);
    Files.deleteIfExists(copy);
  }
}
