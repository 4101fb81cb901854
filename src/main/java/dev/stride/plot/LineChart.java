package dev.stride.plot;

import dev.stride.internal.Args;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.awt.Stroke;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

/**
 * A line chart of one or more labelled series over a shared x axis, written as PNG, SVG and CSV.
 * Made by {@link #builder}; immutable.
 *
 * <p>Series are drawn in the order they were added, the last on top. The chart has a legend, either
 * axis may be logarithmic (ticks at whole powers of ten; its range starts no lower than
 * 10<sup>−12</sup>), and labelled vertical markers are drawn as dashed lines with their label
 * beside them. A linear x axis whose values are all whole numbers, such as steps, gets whole-number
 * ticks.
 *
 * <p>A point that cannot be drawn, a non-finite value or, on a log axis, one ≤ 0, is left out of
 * the chart: the line breaks there. The CSV holds every value as given: a header of the x label and
 * the series' labels, then one row per x; whole numbers are written without a fraction ({@code 3}),
 * other values as the shortest decimal that reads back to the same double ({@code NaN} and {@code
 * Infinity} as Java writes them). Markers are not in the CSV.
 */
public final class LineChart {
  private static final Color[] PALETTE = {
    new Color(0x1F77B4),
    new Color(0xD62728),
    new Color(0x2CA02C),
    new Color(0xFF7F0E),
    new Color(0x9467BD),
    new Color(0x8C564B),
    new Color(0xE377C2),
    new Color(0x7F7F7F)
  };
  private static final Font AXIS_LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
  private static final Font MARKER_LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
  private static final Stroke DASHED =
      new BasicStroke(
          1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);

  private record Series(String label, double[] y) {}

  private record Marker(double x, String label) {}

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final double[] x;
  private final List<Series> series;
  private final List<Marker> markers;
  private final boolean logX;
  private final boolean logY;
  private final int width;
  private final int height;

  private LineChart(Builder b) {
    title = b.title;
    xLabel = b.xLabel;
    yLabel = b.yLabel;
    x = b.x;
    series = List.copyOf(b.series);
    markers = List.copyOf(b.markers);
    logX = b.logX;
    logY = b.logY;
    width = b.width;
    height = b.height;
  }

  /**
   * A chart over {@code x}, labelled {@code xLabel}; add series with {@link Builder#series}.
   *
   * @throws IllegalArgumentException if {@code x} is empty
   */
  public static Builder builder(String xLabel, double[] x) {
    return new Builder(xLabel, x);
  }

  /**
   * Writes {@code PREFIX.png}, {@code PREFIX.svg} and {@code PREFIX.csv}, creating the directories
   * they go in, and returns their paths in that order.
   *
   * @param prefix the path of the files without their extension, e.g. {@code docs/schedules}
   * @throws UncheckedIOException if a file cannot be written
   */
  public List<Path> write(Path prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.getFileName() == null) {
      throw new IllegalArgumentException("prefix must end in a file name, got " + prefix);
    }
    Path png = sibling(prefix, ".png");
    Path svg = sibling(prefix, ".svg");
    Path csv = sibling(prefix, ".csv");
    try {
      Path dir = png.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      JFreeChart chart = chart();
      ChartUtils.saveChartAsPNG(png.toFile(), chart, width, height);
      SVGGraphics2D g2 = new SVGGraphics2D(width, height);
      chart.draw(g2, new Rectangle(0, 0, width, height));
      SVGUtils.writeToSVG(svg.toFile(), g2.getSVGElement());
      writeCsv(csv);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + prefix, e);
    }
    return List.of(png, svg, csv);
  }

  private static Path sibling(Path prefix, String extension) {
    return prefix.resolveSibling(prefix.getFileName() + extension);
  }

  /** The chart as drawn; package-private for the tests. */
  JFreeChart chart() {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Series s : series) {
      XYSeries xy = new XYSeries(s.label(), false, true);
      for (int i = 0; i < x.length; i++) {
        if (drawable(x[i], logX)) {
          // the renderer draws no segment to or from a NaN, so the line breaks at it
          xy.add(x[i], drawable(s.y()[i], logY) ? s.y()[i] : Double.NaN);
        }
      }
      data.addSeries(xy);
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xDDDDDD));
    plot.setRangeGridlinePaint(new Color(0xDDDDDD));
    if (logX) {
      plot.setDomainAxis(logAxis(xLabel));
    } else if (allWhole(x)) {
      ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    }
    if (logY) {
      plot.setRangeAxis(logAxis(yLabel));
    }
    // the lines run from edge to edge
    plot.getDomainAxis().setLowerMargin(0);
    plot.getDomainAxis().setUpperMargin(0);
    plot.getDomainAxis().setLabelFont(AXIS_LABEL_FONT);
    plot.getRangeAxis().setLabelFont(AXIS_LABEL_FONT);
    XYItemRenderer renderer = plot.getRenderer();
    for (int i = 0; i < series.size(); i++) {
      renderer.setSeriesPaint(i, color(i));
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    for (int i = 0; i < markers.size(); i++) {
      Color color = color(series.size() + i);
      ValueMarker line = new ValueMarker(markers.get(i).x(), color, DASHED);
      line.setLabel(markers.get(i).label());
      line.setLabelFont(MARKER_LABEL_FONT);
      line.setLabelPaint(color);
      line.setLabelBackgroundColor(new Color(255, 255, 255, 200)); // readable across other lines
      line.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
      line.setLabelTextAnchor(TextAnchor.TOP_LEFT);
      // each label a line lower than the one before, so markers close together stay readable
      line.setLabelOffset(new RectangleInsets(4 + 16 * i, 4, 4, 4));
      plot.addDomainMarker(line, Layer.FOREGROUND);
    }
    return chart;
  }

  private static boolean drawable(double value, boolean log) {
    return Double.isFinite(value) && (!log || value > 0);
  }

  private static boolean allWhole(double[] values) {
    for (double v : values) {
      if (v != Math.rint(v)) {
        return false;
      }
    }
    return true;
  }

  private static ValueAxis logAxis(String label) {
    LogAxis axis = new LogAxis(label + " (log scale)");
    axis.setSmallestValue(1e-12);
    axis.setTickUnit(new NumberTickUnit(1), false, true); // whole powers of ten
    axis.setMinorTickMarksVisible(true);
    return axis;
  }

  private static Color color(int i) {
    return PALETTE[i % PALETTE.length];
  }

  private void writeCsv(Path csv) throws IOException {
    try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      StringBuilder header = new StringBuilder(quoted(xLabel));
      for (Series s : series) {
        header.append(',').append(quoted(s.label()));
      }
      w.write(header.append('\n').toString());
      for (int i = 0; i < x.length; i++) {
        StringBuilder row = new StringBuilder(number(x[i]));
        for (Series s : series) {
          row.append(',').append(number(s.y()[i]));
        }
        w.write(row.append('\n').toString());
      }
    }
  }

  private static String number(double v) {
    // below 2^53 a whole double is exactly a long; −0 keeps its sign through Double.toString
    boolean whole = v == Math.rint(v) && Math.abs(v) < 0x1p53 && !(v == 0 && 1 / v < 0);
    return whole ? Long.toString((long) v) : Double.toString(v);
  }

  private static String quoted(String label) {
    return label.matches("[^,\"\\n]*") ? label : '"' + label.replace("\"", "\"\"") + '"';
  }

  /** What to draw; {@link #build()} checks that it can be drawn. Defaults: no title, 900×500. */
  public static final class Builder {
    private final String xLabel;
    private final double[] x;
    private String title;
    private String yLabel = "";
    private final List<Series> series = new ArrayList<>();
    private final List<Marker> markers = new ArrayList<>();
    private boolean logX;
    private boolean logY;
    private int width = 900;
    private int height = 500;

    private Builder(String xLabel, double[] x) {
      this.xLabel = Objects.requireNonNull(xLabel, "xLabel");
      if (Objects.requireNonNull(x, "x").length == 0) {
        throw new IllegalArgumentException("x must not be empty, got []");
      }
      this.x = x.clone();
    }

    /** The title above the chart. */
    public Builder title(String title) {
      this.title = Objects.requireNonNull(title, "title");
      return this;
    }

    /** The y axis' label (default none). */
    public Builder yLabel(String yLabel) {
      this.yLabel = Objects.requireNonNull(yLabel, "yLabel");
      return this;
    }

    /**
     * Adds a line, {@code y[i]} at {@code x[i]}, shown in the legend as {@code label}.
     *
     * @throws IllegalArgumentException if {@code y} has not one value per x, or another series has
     *     this label
     */
    public Builder series(String label, double[] y) {
      Objects.requireNonNull(label, "label");
      if (Objects.requireNonNull(y, "y").length != x.length) {
        throw new IllegalArgumentException(
            "y must have one value per x ("
                + x.length
                + "), got "
                + y.length
                + " for series \""
                + label
                + "\"");
      }
      if (series.stream().anyMatch(s -> s.label().equals(label))) {
        throw new IllegalArgumentException(
            "label must differ from the other series', got \"" + label + "\" twice");
      }
      series.add(new Series(label, y.clone()));
      return this;
    }

    /**
     * Adds a dashed vertical line at {@code x} with {@code label} beside it.
     *
     * @throws IllegalArgumentException if {@code x} is not finite
     */
    public Builder marker(double x, String label) {
      Objects.requireNonNull(label, "label");
      markers.add(new Marker(Args.finite("x", x), label));
      return this;
    }

    /** A logarithmic x axis, or not (default). */
    public Builder logX(boolean logX) {
      this.logX = logX;
      return this;
    }

    /** A logarithmic y axis, or not (default). */
    public Builder logY(boolean logY) {
      this.logY = logY;
      return this;
    }

    /**
     * The images' size in pixels.
     *
     * @throws IllegalArgumentException if either is below 100
     */
    public Builder size(int width, int height) {
      if (width < 100) {
        throw new IllegalArgumentException("width must be >= 100, got " + width);
      }
      if (height < 100) {
        throw new IllegalArgumentException("height must be >= 100, got " + height);
      }
      this.width = width;
      this.height = height;
      return this;
    }

    /**
     * The chart.
     *
     * @throws IllegalStateException if no series was added
     * @throws IllegalArgumentException if a marker is at x ≤ 0 on a log x axis
     */
    public LineChart build() {
      if (series.isEmpty()) {
        throw new IllegalStateException("no series: add one with series(label, y)");
      }
      for (Marker m : markers) {
        if (logX && m.x() <= 0) {
          throw new IllegalArgumentException(
              "marker \"" + m.label() + "\" must be at x > 0 on a log x axis, got " + m.x());
        }
      }
      return new LineChart(this);
    }
  }
}
