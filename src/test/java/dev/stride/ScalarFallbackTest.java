package dev.stride;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.optim.Sgd;
import dev.stride.optim.SgdOptions;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A program run without {@code --add-modules jdk.incubator.vector} still trains, on the scalar
 * kernels.
 */
class ScalarFallbackTest {

  /** Runs in the child JVM: one SGD step, then what it used and got. */
  public static void main(String[] args) {
    try (Arena arena = Arena.ofConfined();
        Sgd sgd = new Sgd(SgdOptions.of(0.5))) {
      MemorySegment w = arena.allocate(JAVA_FLOAT, 3);
      MemorySegment g = arena.allocate(JAVA_FLOAT, 3);
      w.fill((byte) 0);
      g.setAtIndex(JAVA_FLOAT, 2, 4f);
      sgd.add(w, g).step();
      System.out.println(
          "vector=" + !sgd.kernels().equals("scalar") + " w2=" + w.getAtIndex(JAVA_FLOAT, 2));
    }
  }

  @Test
  void withoutTheVectorModuleItLogsOnceAndUsesTheScalarKernels() throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process child =
        new ProcessBuilder(
                List.of(
                    java,
                    "-cp",
                    System.getProperty("java.class.path"),
                    ScalarFallbackTest.class.getName()))
            .redirectErrorStream(true)
            .start();
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, child.exitValue(), output);
    assertTrue(output.contains("vector=false w2=-2.0"), output);
    long hints =
        output.lines().filter(l -> l.contains("--add-modules jdk.incubator.vector")).count();
    assertEquals(1, hints, "expected one line naming the flag:\n" + output);
  }
}
