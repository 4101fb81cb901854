package dev.stride.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.schedule.ScheduleSpec;
import dev.stride.schedule.Schedules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulePlotTest {

  @Test
  void theCommandWritesAPngAnSvgAndACsvOfTheSchedules(@TempDir Path dir) throws Exception {
    System.setProperty("java.awt.headless", "true");
    List<Path> written =
        SchedulePlot.run(
            new String[] {
              "--steps",
              "50",
              "--log",
              "--out",
              dir.resolve("sub/plot").toString(),
              "warmup, cosine=warmup(5, cosine(0.1, 45))",
              "steps=step(0.1, 10, 0.5)"
            });
    assertEquals(
        List.of(
            dir.resolve("sub/plot.png"), dir.resolve("sub/plot.svg"), dir.resolve("sub/plot.csv")),
        written);

    byte[] png = Files.readAllBytes(written.get(0));
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
    assertTrue(png.length > 10_000, "a chart, not a blank image: " + png.length + " bytes");

    String svg = Files.readString(written.get(1), StandardCharsets.UTF_8);
    assertTrue(svg.contains("<svg") && svg.strip().endsWith("</svg>"), svg.substring(0, 80));
    // the legend and the step axis as text (JFreeChart draws the rotated value label as outlines)
    for (String text : List.of(">warmup, cosine<", ">steps<", ">step<")) {
      assertTrue(svg.contains(text), "the SVG shows \"" + text + "\"");
    }

    List<String> csv = Files.readAllLines(written.get(2));
    assertEquals("step,\"warmup, cosine\",steps", csv.get(0));
    assertEquals(51, csv.size());
    String[] row = csv.get(31).split(","); // the header, then steps 0, 1, …
    assertEquals(30, Integer.parseInt(row[0]));
    assertEquals(Schedules.cosine(0.1, 0, 45).valueAt(25), Double.parseDouble(row[1]));
    assertEquals(0.0125, Double.parseDouble(row[2]));
  }

  @Test
  void aPlateauIsShownItsMetricsStepByStep() {
    double[] values =
        SchedulePlot.sample(ScheduleSpec.parse("plateau(1, [3, 2, 2], factor=0.5, patience=1)"), 6);
    // best 2 at step 1; steps 2 and 3 bring no improvement, so the value halves from step 4 on
    assertArrayEquals(new double[] {1, 1, 1, 1, 0.5, 0.5}, values);
  }

  @Test
  void badCommandLinesAreRefusedWithTheReason() {
    assertEquals(
        "no schedule given",
        assertThrows(IllegalArgumentException.class, () -> SchedulePlot.run(new String[] {"--log"}))
            .getMessage());
    assertEquals(
        "a schedule must be LABEL=SPEC, got cosine(0.1, 10)",
        assertThrows(
                IllegalArgumentException.class,
                () -> SchedulePlot.run(new String[] {"cosine(0.1, 10)"}))
            .getMessage());
    assertEquals(
        "unknown option --png",
        assertThrows(
                IllegalArgumentException.class,
                () -> SchedulePlot.run(new String[] {"--png", "x=constant(1)"}))
            .getMessage());
  }
}
