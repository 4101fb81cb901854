package dev.stride;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.optim.Sgd;
import dev.stride.optim.SgdOptions;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The jar is the module {@code dev.stride} on a module path: an application that requires it steps
 * an optimizer on the Vector API kernels when it adds {@code jdk.incubator.vector}, and on the
 * scalar ones, after one log line, when it does not. Runs after the jar is made (surefire's {@code
 * modular-jar} execution).
 */
class ModularJarIT {

  /** Runs in the child JVM, Stride on the module path: its module's name, the kernels, one step. */
  public static void main(String[] args) {
    try (Arena arena = Arena.ofConfined();
        Sgd sgd = new Sgd(SgdOptions.of(0.5))) {
      MemorySegment w = arena.allocate(JAVA_FLOAT, 3);
      MemorySegment g = arena.allocate(JAVA_FLOAT, 3);
      g.setAtIndex(JAVA_FLOAT, 2, 4f);
      sgd.add(w, g).step();
      System.out.println(
          "module="
              + Sgd.class.getModule().getName()
              + " vector="
              + !sgd.kernels().equals("scalar")
              + " w2="
              + w.getAtIndex(JAVA_FLOAT, 2));
    }
  }

  @ParameterizedTest(name = "with the Vector API: {0}")
  @ValueSource(booleans = {true, false})
  void theJarIsTheModuleDevStride(boolean vectorApi) throws Exception {
    Path jar = Path.of(System.getProperty("stride.jar"));
    assertTrue(Files.isRegularFile(jar), "no jar at " + jar);
    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "--module-path",
                jar.toString(),
                "--add-modules",
                vectorApi ? "dev.stride,jdk.incubator.vector" : "dev.stride",
                "-cp",
                Path.of("target", "test-classes").toString(),
                ModularJarIT.class.getName()));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, child.exitValue(), output);
    assertTrue(output.contains("module=dev.stride vector=" + vectorApi + " w2=-2.0"), output);
  }
}
