package dev.stride;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The optional dependencies stay optional: JFreeChart and JFreeSVG are used by dev.stride.plot
 * alone, Jackson by dev.stride.checkpoint alone, DJL by dev.stride.djl alone, and the kernels,
 * optimizers and schedules load and step with none of them on the class path.
 */
class OptionalDependenciesTest {

  @ParameterizedTest(name = "only {0} uses {1}")
  @CsvSource({
    "dev/stride/plot, org/jfree/",
    "dev/stride/checkpoint, com/fasterxml/",
    "dev/stride/djl, ai/djl/"
  })
  void onlyOnePackageReferencesTheLibrary(String onlyPackage, String library) throws IOException {
    Path classes = classes();
    List<Path> outside;
    try (Stream<Path> files = Files.walk(classes)) {
      outside =
          files
              .filter(p -> p.toString().endsWith(".class"))
              .filter(p -> !classes.relativize(p).startsWith(Path.of(onlyPackage)))
              .toList();
    }
    assertTrue(outside.size() > 20, "found only " + outside.size() + " classes under " + classes);
    List<Path> offenders = outside.stream().filter(p -> mentions(p, library)).toList();
    assertTrue(offenders.isEmpty(), "these classes use " + library + ": " + offenders);
  }

  /** A class loader that sees Stride's classes and the JDK, nothing else. */
  @Test
  void optimizersAndSchedulesStepWithoutTheOptionalLibraries() throws Exception {
    try (URLClassLoader stride =
            new URLClassLoader(
                new URL[] {classes().toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        Arena arena = Arena.ofConfined()) {
      Class<?> options = stride.loadClass("dev.stride.optim.AdamOptions");
      Object defaults = options.getField("ADAMW_DEFAULTS").get(null);
      Object adamw =
          stride.loadClass("dev.stride.optim.AdamW").getConstructor(options).newInstance(defaults);
      MemorySegment value = arena.allocate(64 * Float.BYTES, 64);
      MemorySegment grad = arena.allocate(64 * Float.BYTES, 64).fill((byte) 0x3f);
      Class<?> optimizer = stride.loadClass("dev.stride.optim.Optimizer");
      optimizer
          .getMethod("add", MemorySegment.class, MemorySegment.class)
          .invoke(adamw, value, grad);
      optimizer.getMethod("step").invoke(adamw);
      assertEquals(1L, optimizer.getMethod("stepCount").invoke(adamw));
      Object cosine =
          stride
              .loadClass("dev.stride.schedule.Schedules")
              .getMethod("cosine", double.class, double.class, long.class)
              .invoke(null, 0.1, 0.0, 10L);
      assertEquals(
          0.05,
          (double)
              stride
                  .loadClass("dev.stride.schedule.Schedule")
                  .getMethod("valueAt", long.class)
                  .invoke(cosine, 5L),
          1e-12);
      // and the checkpoint package is the one that needs Jackson, as soon as it writes a file
      Class<?> checkpoint = stride.loadClass("dev.stride.checkpoint.Checkpoint");
      Object run = checkpoint.getMethod("of", optimizer).invoke(null, adamw);
      Path file = Files.createTempDirectory("stride").resolve("run.safetensors");
      java.lang.reflect.InvocationTargetException thrown =
          assertThrows(
              java.lang.reflect.InvocationTargetException.class,
              () -> checkpoint.getMethod("save", Path.class).invoke(run, file));
      assertTrue(thrown.getCause() instanceof NoClassDefFoundError, thrown.getCause().toString());
      assertTrue(
          thrown.getCause().getMessage().contains("jackson"), thrown.getCause().getMessage());
      optimizer.getMethod("close").invoke(adamw);
      // and the DJL adapter is the one that needs DJL
      NoClassDefFoundError noDjl =
          assertThrows(
              NoClassDefFoundError.class, () -> stride.loadClass("dev.stride.djl.StrideOptimizer"));
      assertTrue(noDjl.getMessage().contains("ai/djl/"), noDjl.getMessage());
    }
  }

  private static Path classes() {
    try {
      return Path.of(
          dev.stride.schedule.Schedule.class
              .getProtectionDomain()
              .getCodeSource()
              .getLocation()
              .toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean mentions(Path classFile, String library) {
    try {
      // a class that uses another names it in its constant pool, as UTF-8 "org/jfree/..."
      return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1)
          .contains(library);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
