package dev.stride;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The jar, as a user links it: the README's first example compiled and run as a modular application
 * ({@code requires dev.stride}, the jar on the module path) and as a class-path one, each with and
 * without {@code jdk.incubator.vector}: with it on the vector kernels, without it on the scalar
 * ones after one log line, to the same result. Runs after the jar is made (surefire's {@code
 * modular-jar} execution), with nothing but the jar: the example needs no optional dependency.
 */
class ModularJarIT {
  private static final Pattern FIRST_JAVA_BLOCK =
      Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  private static final String HINT = "--add-modules jdk.incubator.vector";

  @TempDir Path out;

  @ParameterizedTest(name = "modular {0}, with the Vector API {1}")
  @CsvSource({"true, true", "true, false", "false, true", "false, false"})
  void theReadmesFirstExampleRuns(boolean modular, boolean vectorApi) throws Exception {
    Path jar = Path.of(System.getProperty("stride.jar"));
    assertTrue(Files.isRegularFile(jar), "no jar at " + jar);
    Matcher block = FIRST_JAVA_BLOCK.matcher(Files.readString(Path.of("README.md")));
    assertTrue(block.find(), "README.md has no ```java block");
    Path src = Files.createDirectories(out.resolve("src/example"));
    Path classes = Files.createDirectories(out.resolve("classes"));
    List<Path> sources = new ArrayList<>();
    sources.add(
        Files.writeString(src.resolve("Example.java"), "package example;\n" + block.group(1)));
    if (modular) {
      sources.add(
          Files.writeString(
              out.resolve("src/module-info.java"), "module example { requires dev.stride; }\n"));
    }
    compile(jar, modular, sources, classes);

    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> command = new ArrayList<>(List.of(java));
    if (vectorApi) {
      command.addAll(List.of("--add-modules", "jdk.incubator.vector"));
    }
    if (modular) {
      command.addAll(
          List.of(
              "--module-path",
              jar + File.pathSeparator + classes,
              "-m",
              "example/example.Example"));
    } else {
      command.addAll(List.of("-cp", jar + File.pathSeparator + classes, "example.Example"));
    }
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, child.exitValue(), output);
    assertTrue(output.contains("w[0] = -0.0029"), "the example's result:\n" + output);
    long hints = output.lines().filter(l -> l.contains(HINT)).count();
    assertEquals(vectorApi ? 0 : 1, hints, "lines naming " + HINT + ":\n" + output);
  }

  private static void compile(Path jar, boolean modular, List<Path> sources, Path classes) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    List<String> options =
        List.of(modular ? "--module-path" : "-classpath", jar.toString(), "-d", classes.toString());
    boolean compiled =
        javac
            .getTask(
                diagnostics,
                null,
                null,
                options,
                null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjectsFromPaths(sources))
            .call();
    assertTrue(compiled, "the README example does not compile against the jar:\n" + diagnostics);
  }
}
