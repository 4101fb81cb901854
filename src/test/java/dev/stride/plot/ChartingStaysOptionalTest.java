package dev.stride.plot;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** JFreeChart and JFreeSVG are optional dependencies: nothing outside dev.stride.plot may use them. */
class ChartingStaysOptionalTest {

  @Test
  void onlyThePlotPackageReferencesTheChartingLibraries() throws IOException, URISyntaxException {
    Path classes = Path.of(dev.stride.schedule.Schedule.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI());
    List<Path> offenders;
    long checked;
    try (Stream<Path> files = Files.walk(classes)) {
      List<Path> outsidePlot = files
          .filter(p -> p.toString().endsWith(".class"))
          .filter(p -> !classes.relativize(p).startsWith(Path.of("dev", "stride", "plot")))
          .toList();
      checked = outsidePlot.size();
      offenders = outsidePlot.stream().filter(ChartingStaysOptionalTest::mentionsJFree).toList();
    }
    assertTrue(checked > 20, "found only " + checked + " classes under " + classes);
    assertTrue(offenders.isEmpty(), "these classes use org.jfree: " + offenders);
  }

  private static boolean mentionsJFree(Path classFile) {
    try {
      // a class that uses another names it in its constant pool, as UTF-8 "org/jfree/..."
      return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains("org/jfree/");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
