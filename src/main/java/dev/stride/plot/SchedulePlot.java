package dev.stride.plot;

import dev.stride.schedule.ScheduleSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The plot command: draws schedules as a {@link LineChart} (PNG and SVG: step against value, a
 * legend, optionally a logarithmic value axis) and writes them as CSV (the step, then a column per
 * schedule).
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
  private static final String USAGE =
      """
      usage: SchedulePlot [--steps N] [--out PREFIX] [--log] [--title TEXT] [--value-label TEXT]
                          [--size WxH] LABEL=SPEC ...
        --steps N     steps 0 .. N-1 (default 100)
        --out PREFIX  writes PREFIX.png, PREFIX.svg and PREFIX.csv (default: schedules)
        --log         logarithmic value axis
        --title TEXT  the chart's title (default: Learning-rate schedules)
        --value-label TEXT  the value axis' label (default: learning rate)
        --size WxH    image size in pixels (default 900x500)
        LABEL=SPEC    a schedule and its legend label, e.g. "cosine=cosine(0.1, 100)";
                      forms: see dev.stride.schedule.ScheduleSpec\
      """;

  private SchedulePlot() {}

  /** Runs the command; a bad command line exits with status 2 after the reason and the usage. */
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
    if (steps < 1) {
      throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
    }
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("no schedule given");
    }
    LineChart.Builder chart =
        LineChart.builder("step", IntStream.range(0, steps).asDoubleStream().toArray())
            .title(title)
            .yLabel(valueLabel)
            .logY(log)
            .size(width, height);
    for (String spec : specs) {
      int eq = spec.indexOf('=');
      int paren = spec.indexOf('(');
      if (eq <= 0 || (paren >= 0 && paren < eq)) {
        throw new IllegalArgumentException("a schedule must be LABEL=SPEC, got " + spec);
      }
      chart.series(
          spec.substring(0, eq).strip(), sample(ScheduleSpec.parse(spec.substring(eq + 1)), steps));
    }
    return chart.build().write(out);
  }

  private static String operand(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  /** The values at steps {@code 0 .. steps − 1}, plateaus shown their metrics in turn. */
  static double[] sample(ScheduleSpec.Parsed parsed, int steps) {
    double[] values = new double[steps];
    for (int t = 0; t < steps; t++) {
      values[t] = parsed.next(t);
    }
    return values;
  }
}
