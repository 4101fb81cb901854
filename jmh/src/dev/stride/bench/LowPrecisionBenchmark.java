package dev.stride.bench;

import dev.stride.optim.AdamOptions;
import dev.stride.optim.AdamW;
import dev.stride.optim.Kernels;
import dev.stride.optim.StatePrecision;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.results.RunResult;

/**
 * AdamW over one tensor of {@code size} floats with each state precision, {@code step()} through
 * the public API back to back on one thread and on {@code threads}, all in turn in one fork (so
 * that their ratios see the same bandwidth), with the memory-only kernel of each configuration's
 * bytes on {@code threads}: float32 state (28 bytes per element: p and g read, p, m and v read and
 * written), bfloat16 (20), torchao's 8-bit and bitsandbytes' 8-bit (16, and a scale per 256),
 * torchao's 4-bit (14, and a scale per 128). The configurations share one parameter and gradient,
 * each keeps its own state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class LowPrecisionBenchmark {

  /** The state precisions timed, with the bytes a step moves per element and the state's bits. */
  enum Config {
    FP32("float32", StatePrecision.FP32, 32),
    BF16("bfloat16", StatePrecision.BF16, 16),
    TORCHAO_8BIT("torchao 8-bit", StatePrecision.torchao8bit(), 8),
    BITSANDBYTES_8BIT("bitsandbytes 8-bit", StatePrecision.bitsandbytes8bit(), 8),
    TORCHAO_4BIT("torchao 4-bit", StatePrecision.torchao4bit(), 4);

    final String label;
    final StatePrecision precision;
    final int stateBits;

    Config(String label, StatePrecision precision, int stateBits) {
      this.label = label;
      this.precision = precision;
      this.stateBits = stateBits;
    }

    /** p and g read, p written, m and v read and written (their block scales aside). */
    double bytesPerElement() {
      return 12 + 4 * stateBits / 8.0;
    }
  }

  /** Nanoseconds per step of each configuration, and of each limit, and calls, in one iteration. */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Nanos {
    public long fp32One;
    public long fp32All;
    public long bf16One;
    public long bf16All;
    public long torchao8One;
    public long torchao8All;
    public long bnb8One;
    public long bnb8All;
    public long torchao4One;
    public long torchao4All;
    public long limit32;
    public long limit16;
    public long limit8;
    public long limit4;
    public long calls;

    @Setup(Level.Iteration)
    public void reset() {
      fp32One = fp32All = bf16One = bf16All = torchao8One = torchao8All = 0;
      bnb8One = bnb8All = torchao4One = torchao4All = 0;
      limit32 = limit16 = limit8 = limit4 = calls = 0;
    }

    void add(Config c, boolean all, long ns) {
      switch (c) {
        case FP32 -> {
          if (all) fp32All += ns;
          else fp32One += ns;
        }
        case BF16 -> {
          if (all) bf16All += ns;
          else bf16One += ns;
        }
        case TORCHAO_8BIT -> {
          if (all) torchao8All += ns;
          else torchao8One += ns;
        }
        case BITSANDBYTES_8BIT -> {
          if (all) bnb8All += ns;
          else bnb8One += ns;
        }
        case TORCHAO_4BIT -> {
          if (all) torchao4All += ns;
          else torchao4One += ns;
        }
      }
    }

    void addLimit(int bits, long ns) {
      switch (bits) {
        case 32 -> limit32 += ns;
        case 16 -> limit16 += ns;
        case 8 -> limit8 += ns;
        default -> limit4 += ns;
      }
    }
  }

  /** Counter names, as {@link InTurnMedians} reads them. */
  static String counter(Config c, boolean all) {
    String base =
        switch (c) {
          case FP32 -> "fp32";
          case BF16 -> "bf16";
          case TORCHAO_8BIT -> "torchao8";
          case BITSANDBYTES_8BIT -> "bnb8";
          case TORCHAO_4BIT -> "torchao4";
        };
    return base + (all ? "All" : "One");
  }

  @Param("16777216")
  public int size;

  @Param("2")
  public int threads;

  /** Steps timed together per configuration and thread count, back to back. */
  @Param("4")
  public int steps;

  private Arena arena;
  private final AdamW[] single = new AdamW[Config.values().length];
  private final AdamW[] parallel = new AdamW[Config.values().length];
  private final PackedLimit[] limits = new PackedLimit[4];
  private ParallelLoop loop;
  private long call;

  @Setup(Level.Trial)
  public void setUp() {
    arena = Arena.ofShared();
    MemorySegment p = arena.allocate((long) size * Float.BYTES, 4096);
    MemorySegment g = arena.allocate((long) size * Float.BYTES + 1024, 4096).asSlice(1024);
    Data.PARAM.fill(p);
    Data.GRAD.fill(g);
    for (Config c : Config.values()) {
      single[c.ordinal()] = adamW(c, p, g, 1);
      parallel[c.ordinal()] = adamW(c, p, g, threads);
    }
    int[] bits = {32, 16, 8, 4};
    for (int k = 0; k < bits.length; k++) {
      limits[k] = new PackedLimit(size, bits[k]);
    }
    loop = new ParallelLoop(threads);
  }

  private static AdamW adamW(Config c, MemorySegment p, MemorySegment g, int threads) {
    AdamW o = new AdamW(AdamOptions.ADAMW_DEFAULTS, Kernels.VECTOR);
    o.group(0).setStatePrecision(c.precision);
    o.setThreads(threads);
    o.add(p, g);
    o.step(); // allocates the state and starts the workers
    return o;
  }

  @Benchmark
  public void inTurn(Nanos nanos) {
    Config[] configs = Config.values();
    for (int k = 0; k < configs.length; k++) {
      Config c = configs[InTurn.variant(call, k, configs.length)];
      AdamW one = single[c.ordinal()];
      AdamW all = parallel[c.ordinal()];
      nanos.add(c, false, InTurn.nanos(() -> steps(one)) / steps);
      nanos.add(c, true, InTurn.nanos(() -> steps(all)) / steps);
    }
    for (PackedLimit limit : limits) {
      nanos.addLimit(limit.bits, InTurn.nanos(() -> loop.run(size, limit::run)));
    }
    nanos.calls++;
    call++;
  }

  private void steps(AdamW o) {
    for (int s = 0; s < steps; s++) {
      o.step();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    for (int k = 0; k < single.length; k++) {
      single[k].close();
      parallel[k].close();
    }
    for (PackedLimit limit : limits) {
      limit.close();
    }
    loop.close();
    arena.close();
  }

  /**
   * The memory-only kernel of a step whose two state buffers hold {@code bits} per element: it
   * reads p and g, reads and writes both buffers, then writes p, additions only; {@code 12 + bits /
   * 2} bytes per element.
   */
  static final class PackedLimit implements AutoCloseable {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    final int bits;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment param;
    private final MemorySegment grad;
    private final MemorySegment m;
    private final MemorySegment v;

    PackedLimit(long size, int bits) {
      this.bits = bits;
      param = allocate(size * Float.BYTES, 0);
      grad = allocate(size * Float.BYTES, 1);
      m = allocate(size * bits / 8, 2);
      v = allocate(size * bits / 8, 3);
      Data.PARAM.fill(param);
      Data.GRAD.fill(grad);
    }

    private MemorySegment allocate(long bytes, int k) {
      long offset = k * 1024L;
      return arena.allocate(bytes + offset, 4096).asSlice(offset, bytes);
    }

    /** Elements {@code [from, to)}: a state vector of bytes covers {@code 8·B/bits} floats. */
    void run(long from, long to) {
      long perState = (long) B.length() * 8 / bits; // elements one byte vector of state covers
      long i = from - from % perState;
      for (long end = to - (to - i) % perState; i < end; i += perState) {
        long at = i * bits / 8;
        ByteVector.fromMemorySegment(B, m, at, ORDER).add((byte) 1).intoMemorySegment(m, at, ORDER);
        ByteVector.fromMemorySegment(B, v, at, ORDER).add((byte) 1).intoMemorySegment(v, at, ORDER);
        for (long e = i; e < i + perState; e += F.length()) {
          FloatVector.fromMemorySegment(F, param, e * 4, ORDER)
              .add(FloatVector.fromMemorySegment(F, grad, e * 4, ORDER))
              .intoMemorySegment(param, e * 4, ORDER);
        }
      }
    }

    @Override
    public void close() {
      arena.close();
    }
  }

  /** The section {@link BenchmarkTable} prints: the table, the state memory, the targets. */
  static void report(Collection<RunResult> runs, int threads, PrintStream out) {
    for (RunResult r : runs) {
      InTurnMedians m = InTurnMedians.of(r);
      int size = Integer.parseInt(r.getParams().getParam("size"));
      out.printf(
          Locale.ROOT,
          "### AdamW's state precisions at %,d elements: one thread and %d%n%n",
          size,
          threads);
      out.println(
          "| state | bytes/elem | 1 thread ns/elem | "
              + threads
              + " threads ns/elem | vs float32 ("
              + threads
              + " threads) | GB/s | of its memory limit |");
      out.println("|---|--:|--:|--:|--:|--:|--:|");
      for (Config c : Config.values()) {
        double one = m.ns(counter(c, false)) / size;
        double all = m.ns(counter(c, true)) / size;
        double vs = m.ratio(counter(Config.FP32, true), counter(c, true));
        double limit = m.ns("limit" + c.stateBits) / size;
        out.printf(
            Locale.ROOT,
            "| %s | %.1f | %.3f | %.3f | %.2f× | %.1f | %.0f %% |%n",
            c.label,
            c.bytesPerElement(),
            one,
            all,
            vs,
            c.bytesPerElement() / all,
            100 * limit / all);
      }
      out.println();
      out.printf(
          Locale.ROOT,
          "step() back to back (%s steps timed together), ns/elem; vs float32: float32 AdamW's time"
              + " over this one's, the median of per-iteration ratios. Memory limit: the"
              + " memory-only kernel of the same bytes (two state buffers of the state's bits) on"
              + " %d threads, timed in turn.%n%n",
          r.getParams().getParam("steps"),
          threads);
      stateMemory(out);
      out.println();
      out.println("Targets (medians of this run):");
      out.println();
      target(out, m, Config.TORCHAO_8BIT, Config.FP32, 1.5, threads, size);
      target(out, m, Config.BF16, Config.FP32, 1.25, threads, size);
      double q4 = m.ratio(counter(Config.TORCHAO_8BIT, true), counter(Config.TORCHAO_4BIT, true));
      out.printf(
          Locale.ROOT,
          "- %s AdamW with 4-bit state no slower than with 8-bit, at %,d elements on %d threads:"
              + " %.2f× 8-bit's speed%n",
          q4 >= 1 ? "✓" : "✗",
          size,
          threads,
          q4);
    }
  }

  private static void target(
      PrintStream out, InTurnMedians m, Config c, Config base, double at, int threads, int size) {
    double ratio = m.ratio(counter(base, true), counter(c, true));
    out.printf(
        Locale.ROOT,
        "- %s AdamW with %s state ≥ %.2f× AdamW with %s state at %,d elements on %d threads:"
            + " %.2f×%n",
        ratio >= at ? "✓" : "✗",
        c.label,
        at,
        base.label,
        size,
        threads,
        ratio);
  }

  /** The state of AdamW over GPT-2 small's tensors in each precision. */
  static void stateMemory(PrintStream out) {
    List<Long> tensors = ModelBenchmark.gpt2Small();
    long elements = tensors.stream().mapToLong(Long::longValue).sum();
    out.printf(
        Locale.ROOT,
        "State memory of AdamW over GPT-2 small (%d tensors, %,d parameters; torchao's and"
            + " bitsandbytes' threshold of 4096 elements keeps the layer norms and biases"
            + " float32):%n%n",
        tensors.size(),
        elements);
    out.println("| state | bytes | MiB | vs float32 | bytes per parameter |");
    out.println("|---|--:|--:|--:|--:|");
    long fp32 = stateBytes(StatePrecision.FP32, tensors);
    for (Config c : Config.values()) {
      long bytes = stateBytes(c.precision, tensors);
      out.printf(
          Locale.ROOT,
          "| %s | %,d | %.1f | %.3f | %.3f |%n",
          c.label,
          bytes,
          bytes / 1048576.0,
          (double) bytes / fp32,
          (double) bytes / elements);
    }
  }

  static long stateBytes(StatePrecision p, List<Long> tensors) {
    long bytes = 0;
    for (long n : tensors) {
      bytes += AdamW.RULE.stateBytes(AdamOptions.ADAMW_DEFAULTS, p, n, false);
    }
    return bytes;
  }
}
