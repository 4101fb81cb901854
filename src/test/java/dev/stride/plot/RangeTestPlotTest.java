package dev.stride.plot;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.optim.Sgd;
import dev.stride.optim.SgdOptions;
import dev.stride.tuning.RangeTest;
import dev.stride.tuning.RangeTestResult;
import dev.stride.tuning.Suggestion;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.ui.Layer;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RangeTestPlotTest {

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  /** A sweep of SGD on Σ 2·(w − 3)² over 16 weights; the loss of step {@code nanAt} is NaN. */
  private static RangeTestResult sweep(int nanAt) {
    int n = 16;
    try (Arena arena = Arena.ofConfined();
        Sgd sgd = new Sgd(SgdOptions.of(0.01))) {
      MemorySegment w = arena.allocate(JAVA_FLOAT, n);
      MemorySegment g = arena.allocate(JAVA_FLOAT, n);
      sgd.add(w, g);
      int[] step = {0};
      return RangeTest.exponential(1e-4, 10, 50)
          .run(
              sgd,
              lr -> {
                double loss = 0;
                for (int i = 0; i < n; i++) {
                  float error = w.getAtIndex(JAVA_FLOAT, i) - 3;
                  loss += 2 * error * error;
                  g.setAtIndex(JAVA_FLOAT, i, 4 * error);
                }
                sgd.step();
                return step[0]++ == nanAt ? Double.NaN : loss;
              });
    }
  }

  @Test
  void drawsBothLossesAgainstTheRateWithTheSuggestionsMarked(@TempDir Path dir) throws Exception {
    RangeTestResult result = sweep(-1);
    assertFalse(result.suggestions().isEmpty(), "a curve long enough to read: " + result);

    List<Path> written = RangeTestPlot.render(result, dir.resolve("sub/range"));
    assertEquals(
        List.of(
            dir.resolve("sub/range.png"),
            dir.resolve("sub/range.svg"),
            dir.resolve("sub/range.csv")),
        written);
    assertTrue(Files.size(written.get(0)) > 5_000, "a chart, not a blank image");
    List<String> csv = Files.readAllLines(written.get(2));
    assertEquals("learning rate,loss,smoothed loss", csv.get(0));
    assertEquals(result.size() + 1, csv.size());
    for (int i = 0; i < result.size(); i++) {
      String[] row = csv.get(i + 1).split(",");
      assertEquals(result.lrs()[i], Double.parseDouble(row[0]), "rate " + i);
      assertEquals(result.losses()[i], Double.parseDouble(row[1]), "loss " + i);
      assertEquals(result.smoothedLosses()[i], Double.parseDouble(row[2]), "smoothed loss " + i);
    }

    JFreeChart chart = RangeTestPlot.chart(result).build().chart();
    assertTrue(
        chart.getTitle().getText().contains(result.size() + " of 50 steps"),
        chart.getTitle().getText());
    @SuppressWarnings("unchecked") // JFreeChart returns a raw Collection of its markers
    List<Marker> markers = List.copyOf(chart.getXYPlot().getDomainMarkers(Layer.FOREGROUND));
    assertEquals(result.suggestions().size(), markers.size());
    String svg = Files.readString(written.get(1), StandardCharsets.UTF_8);
    for (int i = 0; i < markers.size(); i++) {
      Suggestion s = result.suggestions().get(i);
      assertEquals(s.lr(), ((ValueMarker) markers.get(i)).getValue());
      assertTrue(
          markers.get(i).getLabel().startsWith(s.heuristic().label() + ": "),
          markers.get(i).getLabel());
      assertTrue(
          svg.contains(">" + markers.get(i).getLabel() + "<"),
          "the SVG shows " + markers.get(i).getLabel());
    }
  }

  @Test
  void aLossThatIsNotFiniteIsLeftOutOfTheChartAndKeptInTheCsv(@TempDir Path dir) throws Exception {
    RangeTestResult result = sweep(30);
    assertSame(RangeTestResult.Stop.NOT_FINITE, result.stop());
    assertEquals(31, result.size());

    List<Path> written = RangeTestPlot.render(result, dir.resolve("nan"));
    List<String> csv = Files.readAllLines(written.get(2));
    assertEquals(32, csv.size());
    assertEquals(result.lrs()[30] + ",NaN,NaN", csv.get(31));

    JFreeChart chart = RangeTestPlot.chart(result).build().chart();
    assertTrue(chart.getTitle().getText().contains("not finite"), chart.getTitle().getText());
    XYDataset data = chart.getXYPlot().getDataset();
    for (int series = 0; series < 2; series++) {
      assertEquals(31, data.getItemCount(series));
      assertTrue(Double.isNaN(data.getYValue(series, 30)), "the last point breaks the line");
      assertTrue(Double.isFinite(data.getYValue(series, 29)));
    }
  }
}
