package dev.stride.bench;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.stride.optim.StepPool;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The C yardstick: {@code yardstick.c} (a resource beside this class) compiled at run time with the
 * machine's C compiler into a shared library under {@code target/yardstick}, and called through
 * {@code java.lang.foreign} on the same segments as Stride's kernels and steps: the memory-only
 * pattern of each byte count, and PyTorch's Adam, AdamW and SGD with momentum, on one thread or on
 * an OpenMP team.
 *
 * <p>{@link BenchmarkTable} builds it once and hands its path to the forks ({@value
 * #LIBRARY_PROPERTY}); a fork run alone builds it itself. {@code -D}{@value #COMPILER_PROPERTY}
 * names the compiler ({@code cc}, then {@code gcc} on the {@code PATH} by default), {@code none}
 * runs the benchmarks without C. OpenMP's idle threads wait as {@value #WAIT_POLICY_PROPERTY} says:
 * {@code stride} (the default) spins as long as Stride's workers do and then sleeps (libgomp's
 * {@code GOMP_SPINCOUNT}; its own default spins for milliseconds, through a trainer's pause),
 * {@code passive} or {@code active} set {@code OMP_WAIT_POLICY}, {@code default} leaves the
 * environment alone; set before libgomp loads, which reads it then.
 */
final class Yardstick {
  static final String COMPILER_PROPERTY = "stride.bench.cc";
  static final String LIBRARY_PROPERTY = "stride.bench.yardstick";
  static final String WAIT_POLICY_PROPERTY = "stride.bench.ompWaitPolicy";
  static final String DEFAULT_WAIT_POLICY = "stride";
  static final List<String> FLAGS = List.of("-O3", "-march=native", "-fno-math-errno");
  private static final String SOURCE = "yardstick.c";

  /**
   * A build of the library: where it is and which compiler made it, or why there is none.
   *
   * @param library null when there is none
   * @param compiler the compiler's first {@code --version} line, or null
   * @param openmp whether it was built with {@code -fopenmp}
   * @param absence why there is no library, or null
   */
  record Build(Path library, String compiler, boolean openmp, String absence) {
    static Build absent(String why) {
      return new Build(null, null, false, why);
    }

    /** One line for the report's header. */
    String describe() {
      if (library == null) {
        return "no C yardstick: " + absence;
      }
      return String.format(
          "C yardstick: %s, %s%s; %s",
          compiler,
          String.join(" ", FLAGS),
          openmp ? " -fopenmp" : " (no OpenMP: C runs on one thread)",
          switch (waitPolicy()) {
            case "default" -> "OpenMP's threads wait as libgomp's defaults say";
            case "stride" ->
                "OMP_WAIT_POLICY unset, GOMP_SPINCOUNT="
                    + strideSpinCount()
                    + ": idle OpenMP threads spin "
                    + StepPool.SPIN_MICROS
                    + " µs, as Stride's workers do, then sleep";
            default -> "OMP_WAIT_POLICY=" + waitPolicy().toUpperCase(Locale.ROOT);
          });
    }
  }

  /**
   * Builds the library with the compiler {@value #COMPILER_PROPERTY} names ({@code cc}, then {@code
   * gcc}, by default), into {@code dir}; an unchanged source and compiler reuse the last build.
   */
  static Build build(Path dir) {
    return build(dir, System.getProperty(COMPILER_PROPERTY, ""));
  }

  /**
   * Builds the library with {@code setting}'s compiler: empty for {@code cc}, then {@code gcc};
   * {@code none} for none.
   */
  static Build build(Path dir, String setting) {
    List<String> candidates = setting.isEmpty() ? List.of("cc", "gcc") : List.of(setting);
    if (setting.equals("none")) {
      return Build.absent(COMPILER_PROPERTY + "=none");
    }
    for (String compiler : candidates) {
      String version = version(compiler);
      if (version != null) {
        return build(dir, compiler, version);
      }
    }
    return Build.absent(
        "no C compiler ("
            + String.join(", ", candidates)
            + " not found; -D"
            + COMPILER_PROPERTY
            + "=PATH names one)");
  }

  private static Build build(Path dir, String compiler, String version) {
    try {
      byte[] source;
      try (InputStream in = Yardstick.class.getResourceAsStream(SOURCE)) {
        if (in == null) {
          return Build.absent(SOURCE + " is not on the class path");
        }
        source = in.readAllBytes();
      }
      String key =
          HexFormat.of()
              .formatHex(
                  java.security.MessageDigest.getInstance("SHA-256")
                      .digest(
                          (version + FLAGS + new String(source, StandardCharsets.UTF_8))
                              .getBytes(StandardCharsets.UTF_8)),
                  0,
                  8);
      Files.createDirectories(dir);
      Path c = dir.resolve(SOURCE);
      Files.write(c, source);
      String failure = "";
      for (boolean openmp : new boolean[] {true, false}) {
        Path library = dir.resolve("libyardstick-" + key + (openmp ? "-omp" : "") + ".so");
        if (Files.exists(library)) {
          return new Build(library.toAbsolutePath(), version, openmp, null);
        }
        Path partial = dir.resolve(library.getFileName() + ".partial");
        List<String> command = new ArrayList<>(List.of(compiler));
        command.addAll(FLAGS);
        if (openmp) {
          command.add("-fopenmp");
        }
        command.addAll(List.of("-shared", "-fPIC", "-o", partial.toString(), c.toString()));
        String output = run(command);
        if (output == null) {
          Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE);
          return new Build(library.toAbsolutePath(), version, openmp, null);
        }
        failure = output; // without OpenMP next, then give up
      }
      return Build.absent(compiler + " failed: " + failure.strip());
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      return Build.absent("the build failed: " + e);
    }
  }

  /** The compiler's first {@code --version} line, or null if it does not run. */
  private static String version(String compiler) {
    try {
      Process p = new ProcessBuilder(compiler, "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0
          ? out.lines().findFirst().orElse(compiler)
          : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Runs {@code command}: null when it succeeds, else what it printed. */
  private static String run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      return p.waitFor() == 0 ? null : out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  static String waitPolicy() {
    return System.getProperty(WAIT_POLICY_PROPERTY, DEFAULT_WAIT_POLICY);
  }

  private static Yardstick loaded;
  private static boolean tried;

  /**
   * The yardstick of this JVM, or null without one: the library {@value #LIBRARY_PROPERTY} names,
   * or one built now under {@code target/yardstick}.
   */
  static synchronized Yardstick get() {
    if (!tried) {
      tried = true;
      String library = System.getProperty(LIBRARY_PROPERTY);
      Build build =
          library == null
              ? build(Path.of("target", "yardstick"))
              : library.isEmpty()
                  ? Build.absent("none built")
                  : new Build(Path.of(library), null, true, null);
      if (build.library() != null) {
        loaded = new Yardstick(build.library());
      }
    }
    return loaded;
  }

  private final MethodHandle memory;
  private final MethodHandle adam;
  private final MethodHandle sgdMomentum;
  private final boolean openmp;

  /** Loads {@code library}, OpenMP's wait policy set first: libgomp reads it as it loads. */
  Yardstick(Path library) {
    Linker linker = Linker.nativeLinker();
    switch (waitPolicy()) {
      case "default" -> {}
      case "stride" -> setenv(linker, "GOMP_SPINCOUNT", Long.toString(strideSpinCount()));
      default -> setenv(linker, "OMP_WAIT_POLICY", waitPolicy().toUpperCase(Locale.ROOT));
    }
    SymbolLookup lookup = SymbolLookup.libraryLookup(library, Arena.global());
    memory =
        linker.downcallHandle(
            lookup.find("yardstick_memory").orElseThrow(),
            FunctionDescriptor.ofVoid(
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG,
                JAVA_INT));
    adam =
        linker.downcallHandle(
            lookup.find("yardstick_adam").orElseThrow(),
            FunctionDescriptor.ofVoid(
                ADDRESS,
                ADDRESS,
                ADDRESS,
                ADDRESS,
                JAVA_LONG,
                JAVA_LONG,
                JAVA_FLOAT,
                JAVA_FLOAT,
                JAVA_FLOAT,
                JAVA_FLOAT,
                JAVA_FLOAT,
                JAVA_INT,
                JAVA_INT));
    sgdMomentum =
        linker.downcallHandle(
            lookup.find("yardstick_sgd_momentum").orElseThrow(),
            FunctionDescriptor.ofVoid(
                ADDRESS,
                ADDRESS,
                ADDRESS,
                JAVA_LONG,
                JAVA_FLOAT,
                JAVA_FLOAT,
                JAVA_FLOAT,
                JAVA_INT));
    try {
      openmp =
          (int)
                  linker
                      .downcallHandle(
                          lookup.find("yardstick_openmp").orElseThrow(),
                          FunctionDescriptor.of(JAVA_INT))
                      .invokeExact()
              != 0;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static void setenv(Linker linker, String name, String value) {
    try (Arena arena = Arena.ofConfined()) {
      MethodHandle setenv =
          linker.downcallHandle(
              linker.defaultLookup().find("setenv").orElseThrow(),
              FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
      if ((int) setenv.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 1) != 0) {
        throw new IllegalStateException("setenv(" + name + ") failed");
      }
    } catch (Throwable t) {
      throw new IllegalStateException("cannot set " + name, t);
    }
  }

  /**
   * libgomp's spin count for as long a spin as Stride's workers': its idle threads poll a word
   * between pause instructions, as {@link Thread#onSpinWait} loops do, timed here.
   */
  static long strideSpinCount() {
    int n = 1 << 16;
    long best = Long.MAX_VALUE;
    for (int round = 0; round < 20; round++) { // the best, once compiled
      long start = System.nanoTime();
      for (int i = 0; i < n && spinWord == 0; i++) {
        Thread.onSpinWait();
      }
      best = Math.min(best, System.nanoTime() - start);
    }
    return Math.max(1, StepPool.SPIN_MICROS * 1000 * n / Math.max(1, best));
  }

  private static volatile int spinWord;

  /** Whether calls on more than one thread run on an OpenMP team (else on the caller alone). */
  boolean openmp() {
    return openmp;
  }

  /**
   * The memory-only pattern over {@code n} elements with {@code k} (0 to 4) state buffers, as
   * {@link MemoryLimit#run} computes it; the buffers past the k-th are not read ({@code NULL} will
   * do).
   */
  void memory(
      int k,
      MemorySegment p,
      MemorySegment g,
      MemorySegment s0,
      MemorySegment s1,
      MemorySegment s2,
      MemorySegment s3,
      long n,
      int threads) {
    try {
      memory.invokeExact(k, p, g, s0, s1, s2, s3, n, threads);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** PyTorch's Adam step {@code step} (from 1), or AdamW's when {@code decoupled}. */
  void adam(
      MemorySegment p,
      MemorySegment g,
      MemorySegment m,
      MemorySegment v,
      long n,
      long step,
      float lr,
      float beta1,
      float beta2,
      float eps,
      float weightDecay,
      boolean decoupled,
      int threads) {
    try {
      adam.invokeExact(
          p, g, m, v, n, step, lr, beta1, beta2, eps, weightDecay, decoupled ? 1 : 0, threads);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** PyTorch's SGD with momentum, its buffer {@code b}. */
  void sgdMomentum(
      MemorySegment p,
      MemorySegment g,
      MemorySegment b,
      long n,
      float lr,
      float momentum,
      float dampening,
      int threads) {
    try {
      sgdMomentum.invokeExact(p, g, b, n, lr, momentum, dampening, threads);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }
}
