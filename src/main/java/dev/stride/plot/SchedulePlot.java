package dev.stride.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

/**
 * Renders schedules as a chart (PNG and SVG: step against value, labelled axes, a legend,
 * optionally a logarithmic value axis) and as CSV (the step, then a column per schedule).
 *
 * <pre>
 * java dev.stride.plot.SchedulePlot [--steps N] [--out PREFIX] [--log] [--title TEXT]
 *     [--value-label TEXT] [--size WxH] LABEL=SPEC ...
 * </pre>
 *
 * <p>Writes {@code PREFIX.png}, {@code PREFIX.svg} and {@code PREFIX.csv}; a SPEC is written as
 * {@link ScheduleSpec} describes, e.g. {@code "warmup+cosine=warmup(5, cosine(0.1, 95))"}. Needs
 * JFreeChart and JFreeSVG on the class path, optional dependencies of Stride.
 */
public final class SchedulePlot {
  private static final String USAGE = """
      usage: SchedulePlot [--steps N] [--out PREFIX] [--log] [--title TEXT] [--value-label TEXT]
                          [--size WxH] LABEL=SPEC ...
        --steps N     steps 0 .. N-1 (default 100)
        --out PREFIX  writes PREFIX.png, PREFIX.svg and PREFIX.csv (default: schedules)
        --log         logarithmic value axis
        --title TEXT  the chart's title (default: Learning-rate schedules)
        --value-label TEXT  the value axis' label (default: learning rate)
        --size WxH    image size in pixels (default 900x500)
        LABEL=SPEC    a schedule and its legend label, e.g. "cosine=cosine(0.1, 100)";
                      forms: see dev.stride.plot.ScheduleSpec""";

  /** What to draw. */
  public record Options(int steps, Path out, boolean logScale, String title, String valueLabel, int width,
      int height) {
    public Options {
      if (steps < 1) {
        throw new IllegalArgumentException("steps must be >= 1, got " + steps);
      }
      if (width < 100 || height < 100) {
        throw new IllegalArgumentException("size must be at least 100x100, got " + width + "x" + height);
      }
    }
  }

  /** A schedule's values over the steps, and its label. */
  public record Series(String label, double[] values) {}

  private SchedulePlot() {}

  public static void main(String[] args) {
    try {
      List<Path> written = run(args);
      written.forEach(p -> System.out.println("wrote " + p));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
    }
  }

  /** Parses the command line, renders, and returns the files written. */
  static List<Path> run(String[] args) {
    int steps = 100;
    Path out = Path.of("schedules");
    boolean log = false;
    String title = "Learning-rate schedules";
    String valueLabel = "learning rate";
    int width = 900;
    int height = 500;
    List<String> specs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--steps" -> steps = Integer.parseInt(operand(args, ++i, "--steps"));
        case "--out" -> out = Path.of(operand(args, ++i, "--out"));
        case "--log" -> log = true;
        case "--title" -> title = operand(args, ++i, "--title");
        case "--value-label" -> valueLabel = operand(args, ++i, "--value-label");
        case "--size" -> {
          String[] wh = operand(args, ++i, "--size").split("x");
          if (wh.length != 2) {
            throw new IllegalArgumentException("--size must be WxH, got " + args[i]);
          }
          width = Integer.parseInt(wh[0]);
          height = Integer.parseInt(wh[1]);
        }
        default -> {
          if (args[i].startsWith("--")) {
            throw new IllegalArgumentException("unknown option " + args[i]);
          }
          specs.add(args[i]);
        }
      }
    }
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("no schedule given");
    }
    Options options = new Options(steps, out, log, title, valueLabel, width, height);
    List<Series> series = new ArrayList<>();
    for (String spec : specs) {
      int eq = spec.indexOf('=');
      int paren = spec.indexOf('(');
      if (eq <= 0 || (paren >= 0 && paren < eq)) {
        throw new IllegalArgumentException("a schedule must be LABEL=SPEC, got " + spec);
      }
      series.add(sample(spec.substring(0, eq).strip(), ScheduleSpec.parse(spec.substring(eq + 1)), steps));
    }
    return render(series, options);
  }

  private static String operand(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  /** The values at steps {@code 0 .. steps − 1}, plateaus shown their metrics in turn. */
  static Series sample(String label, ScheduleSpec.Parsed parsed, int steps) {
    double[] values = new double[steps];
    for (int t = 0; t < steps; t++) {
      values[t] = parsed.next(t);
    }
    return new Series(label, values);
  }

  /** Writes the PNG, the SVG and the CSV; returns their paths. */
  public static List<Path> render(List<Series> series, Options options) {
    Path png = sibling(options.out(), ".png");
    Path svg = sibling(options.out(), ".svg");
    Path csv = sibling(options.out(), ".csv");
    try {
      Path dir = png.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      JFreeChart chart = chart(series, options);
      ChartUtils.saveChartAsPNG(png.toFile(), chart, options.width(), options.height());
      SVGGraphics2D g2 = new SVGGraphics2D(options.width(), options.height());
      chart.draw(g2, new Rectangle(0, 0, options.width(), options.height()));
      SVGUtils.writeToSVG(svg.toFile(), g2.getSVGElement());
      writeCsv(series, csv);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + options.out(), e);
    }
    return List.of(png, svg, csv);
  }

  private static Path sibling(Path out, String extension) {
    return out.resolveSibling(out.getFileName() + extension);
  }

  private static JFreeChart chart(List<Series> series, Options options) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Series s : series) {
      XYSeries xy = new XYSeries(s.label(), false, true);
      for (int t = 0; t < s.values().length; t++) {
        // a log axis cannot show 0 or less: leave those points out rather than fail
        if (!options.logScale() || s.values()[t] > 0) {
          xy.add(t, s.values()[t]);
        }
      }
      data.addSeries(xy);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(options.title(), "step", options.valueLabel(), data,
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xDDDDDD));
    plot.setRangeGridlinePaint(new Color(0xDDDDDD));
    NumberAxis steps = (NumberAxis) plot.getDomainAxis();
    steps.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    steps.setRange(0, Math.max(1, options.steps() - 1));
    if (options.logScale()) {
      LogAxis value = new LogAxis(options.valueLabel() + " (log scale)");
      value.setSmallestValue(1e-12);
      value.setTickUnit(new NumberTickUnit(1), false, true); // whole powers of ten
      value.setMinorTickMarksVisible(true);
      plot.setRangeAxis(value);
    }
    Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    plot.getDomainAxis().setLabelFont(label);
    plot.getRangeAxis().setLabelFont(label);
    XYItemRenderer renderer = plot.getRenderer();
    Color[] palette = {new Color(0x1F77B4), new Color(0xD62728), new Color(0x2CA02C), new Color(0xFF7F0E),
        new Color(0x9467BD), new Color(0x8C564B), new Color(0xE377C2), new Color(0x7F7F7F)};
    for (int i = 0; i < series.size(); i++) {
      renderer.setSeriesPaint(i, palette[i % palette.length]);
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    return chart;
  }

  private static void writeCsv(List<Series> series, Path csv) throws IOException {
    try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      StringBuilder header = new StringBuilder("step");
      for (Series s : series) {
        header.append(',').append(quoted(s.label()));
      }
      w.write(header.append('\n').toString());
      int steps = series.stream().mapToInt(s -> s.values().length).max().orElse(0);
      for (int t = 0; t < steps; t++) {
        StringBuilder row = new StringBuilder(Integer.toString(t));
        for (Series s : series) {
          row.append(',');
          if (t < s.values().length) {
            row.append(s.values()[t]); // the shortest decimal that reads back to the same double
          }
        }
        w.write(row.append('\n').toString());
      }
    }
  }

  private static String quoted(String label) {
    return label.matches("[^,\"\\n]*") ? label : '"' + label.replace("\"", "\"\"") + '"';
  }
}
