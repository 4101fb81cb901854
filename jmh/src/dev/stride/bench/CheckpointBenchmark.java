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
 * path: written with {@link FileChannel} from the segments to a temporary file, forced to disk
 * and renamed; read back through a mapped segment into them. What the checkpoint adds is the
 * header, the CRC32Cs (computed while writing, checked before loading) and the checks. The files
 * are in {@code target/}, on the project's disk; a load reads what the save left in the page
 * cache, as a resume right after a save does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class CheckpointBenchmark {
  public static final int ELEMENTS = 1 << 24;
  public static final long BYTES = 3L * ELEMENTS * Float.BYTES;

  private Arena arena;
  private AdamW adamw;
  private Checkpoint checkpoint;
  private List<MemorySegment> segments;
  /** Where the plain read puts the bytes: the optimizer's own state is not the caller's to write. */
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
    StateDict state = StateDict.of(adamw);
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

  @Benchmark
  public void save() throws IOException {
    checkpoint.save(file);
  }

  @Benchmark
  public void load() throws IOException {
    checkpoint.load(file);
  }

  /** The same bytes from the same segments: FileChannel writes, force, rename. */
  @Benchmark
  public void plainWrite() throws IOException {
    Path temporary = dir.resolve(".copy.tmp");
    try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      long position = 0;
      for (MemorySegment s : segments) {
        var buffer = s.asByteBuffer();
        while (buffer.hasRemaining()) {
          position += channel.write(buffer, position);
        }
      }
      channel.force(true);
    }
    Files.move(temporary, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The same bytes back into the same segments through a mapped segment. */
  @Benchmark
  public void plainRead() throws IOException {
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

  /** The Markdown section of {@link BenchmarkTable}: ms and GB/s per operation, and against the copy. */
  static void report(java.util.Collection<org.openjdk.jmh.results.RunResult> results, java.io.PrintStream out) {
    java.util.Map<String, Double> ms = new java.util.HashMap<>();
    for (var r : results) {
      String name = r.getParams().getBenchmark();
      ms.put(name.substring(name.lastIndexOf('.') + 1), r.getPrimaryResult().getStatistics().getPercentile(50));
    }
    out.printf("Checkpoints: an AdamW state of %,d parameters (values, exp_avg, exp_avg_sq: %,d bytes) in"
        + " target/, against a plain copy of the same bytes along the same path%n%n", ELEMENTS, BYTES);
    out.println("| operation | ms | GB/s | of the plain copy's rate |");
    out.println("|---|--:|--:|--:|");
    for (String[] row : new String[][] {{"save", "plainWrite"}, {"load", "plainRead"},
        {"plainWrite", "plainWrite"}, {"plainRead", "plainRead"}}) {
      Double t = ms.get(row[0]);
      Double plain = ms.get(row[1]);
      if (t != null && plain != null) {
        out.printf("| %s | %.1f | %.2f | %.0f %% |%n", row[0], t, BYTES / (t * 1e6), 100 * plain / t);
      }
    }
    out.println();
    out.println("save: header, CRC32C of each tensor while writing, temporary file, force, rename;"
        + " plainWrite: the same bytes written, forced and renamed. load: the header and layout checked,"
        + " every CRC32C checked, then copied from the mapped file; plainRead: the mapped copy alone,"
        + " from the page cache as the load is. Target: the checkpoint at least half the plain copy's rate.");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    adamw.close();
    arena.close();
    Files.deleteIfExists(file);
    Files.deleteIfExists(copy);
  }
}
