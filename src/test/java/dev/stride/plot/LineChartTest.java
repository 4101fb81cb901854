package dev.stride.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.Layer;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineChartTest {
  private static final double[] X = {0, 1, 2, 3};

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  @Test
  void writesThePngTheSvgAndTheCsvWithEveryValueAsGiven(@TempDir Path dir) throws Exception {
    double[] y = {-0.0, Double.NaN, Double.POSITIVE_INFINITY, 0.1 + 0.2};
    List<Path> written =
        LineChart.builder("step", X)
            .title("t")
            .yLabel("value")
            .series("a, quoted \"b\"", y)
            .series("c", new double[] {1e300, -2, 2.5, 1e-7})
            .build()
            .write(dir.resolve("new/dir/chart"));
    assertEquals(
        List.of(
            dir.resolve("new/dir/chart.png"),
            dir.resolve("new/dir/chart.svg"),
            dir.resolve("new/dir/chart.csv")),
        written);
    assertTrue(Files.size(written.get(0)) > 5_000, "a chart, not a blank image");
    String svg = Files.readString(written.get(1), StandardCharsets.UTF_8);
    assertTrue(svg.contains(">a, quoted &quot;b&quot;<"), "the legend, escaped, in the SVG");
    assertEquals(
        List.of(
            "step,\"a, quoted \"\"b\"\"\",c",
            "0,-0.0,1.0E300",
            "1,NaN,-2",
            "2,Infinity,2.5",
            "3,0.30000000000000004,1.0E-7"),
        Files.readAllLines(written.get(2)));
  }

  @Test
  void theChartKeepsItsOwnCopiesOfTheArrays(@TempDir Path dir) throws Exception {
    double[] x = {1, 2};
    double[] y = {3, 4};
    LineChart.Builder builder = LineChart.builder("x", x).series("y", y);
    x[0] = 100;
    y[0] = 100;
    List<Path> written = builder.build().write(dir.resolve("c"));
    assertEquals(List.of("x,y", "1,3", "2,4"), Files.readAllLines(written.get(2)));
  }

  @Test
  void onLogAxesValuesAtOrBelowZeroAndNonFiniteOnesAreLeftOutOfTheChartButNotOfTheCsv(
      @TempDir Path dir) throws Exception {
    double[] x = {-1, 0, 1e-3, 1e-2, 1e-1, 1, Double.NaN};
    double[] y = {5, 5, 0, 10, Double.NaN, 1000, 5};
    LineChart chart = LineChart.builder("lr", x).series("loss", y).logX(true).logY(true).build();
    XYPlot plot = chart.chart().getXYPlot();
    XYDataset data = plot.getDataset();
    // the points at x ≤ 0 and NaN cannot be placed; those at y = 0 and NaN break the line
    assertEquals(4, data.getItemCount(0));
    double[] drawnX = new double[4];
    double[] drawnY = new double[4];
    for (int i = 0; i < 4; i++) {
      drawnX[i] = data.getXValue(0, i);
      drawnY[i] = data.getYValue(0, i);
    }
    assertArrayEquals(new double[] {1e-3, 1e-2, 1e-1, 1}, drawnX);
    assertArrayEquals(new double[] {Double.NaN, 10, Double.NaN, 1000}, drawnY);
    assertEquals(1e-3, plot.getDomainAxis().getLowerBound(), 1e-15);
    assertEquals(1, plot.getDomainAxis().getUpperBound(), 1e-15);
    assertTrue(plot.getRangeAxis().getLowerBound() > 0, "the loss axis starts above 0");
    assertTrue(
        plot.getRangeAxis().getLabel().endsWith("(log scale)"), plot.getRangeAxis().getLabel());

    List<Path> written = chart.write(dir.resolve("log"));
    assertEquals(
        List.of("lr,loss", "-1,5", "0,5", "0.001,0", "0.01,10", "0.1,NaN", "1,1000", "NaN,5"),
        Files.readAllLines(written.get(2)));
  }

  @Test
  void markersAreDashedLabelledVerticalLines(@TempDir Path dir) throws Exception {
    LineChart chart =
        LineChart.builder("lr", new double[] {1e-4, 1e-3, 1e-2, 1e-1})
            .series("loss", new double[] {4, 3, 1, 2})
            .logX(true)
            .marker(2e-3, "steepest")
            .marker(5e-3, "valley")
            .build();
    var markers = chart.chart().getXYPlot().getDomainMarkers(Layer.FOREGROUND);
    assertEquals(2, markers.size());
    ValueMarker first = (ValueMarker) markers.iterator().next();
    assertEquals(2e-3, first.getValue());
    assertEquals("steepest", first.getLabel());
    assertTrue(((java.awt.BasicStroke) first.getStroke()).getDashArray() != null, "dashed");

    List<Path> written = chart.write(dir.resolve("m"));
    String svg = Files.readString(written.get(1), StandardCharsets.UTF_8);
    assertTrue(svg.contains(">steepest<") && svg.contains(">valley<"), "the labels are in the SVG");
    assertEquals(
        "lr,loss", Files.readAllLines(written.get(2)).get(0), "markers are not in the CSV");
  }

  @Test
  void badArgumentsAreRefusedNamingThem() {
    assertMessage(
        "y must have one value per x (4), got 3 for series \"b\"",
        () -> LineChart.builder("x", X).series("a", X).series("b", new double[3]));
    assertMessage(
        "label must differ from the other series', got \"a\" twice",
        () -> LineChart.builder("x", X).series("a", X).series("a", X));
    assertMessage("x must not be empty, got []", () -> LineChart.builder("x", new double[0]));
    assertMessage("width must be >= 100, got 99", () -> LineChart.builder("x", X).size(99, 500));
    assertMessage("height must be >= 100, got 0", () -> LineChart.builder("x", X).size(900, 0));
    assertMessage(
        "x must be a finite number, got NaN",
        () -> LineChart.builder("x", X).marker(Double.NaN, "m"));
    assertMessage(
        "marker \"m\" must be at x > 0 on a log x axis, got 0.0",
        () -> LineChart.builder("x", X).series("a", X).marker(0, "m").logX(true).build());
    assertEquals(
        "no series: add one with series(label, y)",
        assertThrows(IllegalStateException.class, () -> LineChart.builder("x", X).build())
            .getMessage());
  }

  private static void assertMessage(String message, Runnable call) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, call::run).getMessage());
  }
}
