package dev.stride.plot;

import dev.stride.tuning.RangeTestResult;
import dev.stride.tuning.Suggestion;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Draws a learning-rate range test ({@link RangeTestResult}) as a {@link LineChart}: the loss each
 * step returned and the smoothed loss against the rate, both axes in log scale, and each suggestion
 * as a dashed vertical line labelled with its heuristic and rate. The title says how many of the
 * planned steps were taken and why the sweep stopped.
 *
 * <p>A loss that is not finite (the last one when the sweep stopped on it) or ≤ 0 is left out of
 * the chart; the CSV ({@code learning rate,loss,smoothed loss}) has every point as recorded.
 */
public final class RangeTestPlot {
  private RangeTestPlot() {}

  /**
   * The chart of {@code result}, to adjust before building it: another title or size, or a linear
   * loss axis ({@code logY(false)}) for a loss that can be ≤ 0.
   */
  public static LineChart.Builder chart(RangeTestResult result) {
    LineChart.Builder chart =
        LineChart.builder("learning rate", result.lrs())
            .title(
                String.format(
                    Locale.ROOT,
                    "Learning-rate range test (%d of %d steps, %s)",
                    result.size(),
                    result.plannedSteps(),
                    result.stop().name().toLowerCase(Locale.ROOT).replace('_', ' ')))
            .yLabel("loss")
            .logX(true)
            .logY(true)
            .series("loss", result.losses())
            .series("smoothed loss", result.smoothedLosses());
    for (Suggestion s : result.suggestions()) {
      chart.marker(s.lr(), String.format(Locale.ROOT, "%s: %.2g", s.heuristic().label(), s.lr()));
    }
    return chart;
  }

  /**
   * Writes {@code out.png}, {@code out.svg} and {@code out.csv} as {@link LineChart#write} does and
   * returns their paths.
   */
  public static List<Path> render(RangeTestResult result, Path out) {
    return chart(result).build().write(out);
  }
}
