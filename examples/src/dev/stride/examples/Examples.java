package dev.stride.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the examples and writes their charts (PNG, SVG and CSV):
 *
 * <pre>
 * java dev.stride.examples.Examples [--out DIR]
 * </pre>
 *
 * <p>{@code DIR} defaults to {@code target/examples}.
 */
public final class Examples {
  private Examples() {}

  public static void main(String[] args) {
    Path out = Path.of("target", "examples");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--out") && i + 1 < args.length) {
        out = Path.of(args[++i]);
      } else {
        System.err.println("usage: Examples [--out DIR]");
        System.exit(2);
      }
    }
    Log log = Log.standardOutput();
    long start = System.nanoTime();
    log.println("Linear regression, y = 3x + 2 + noise, SGD at three rates:");
    List<Path> written =
        new ArrayList<>(
            LinearRegression.chart(LinearRegression.run(log), out.resolve("linear-regression")));
    log.println("Two spirals, MLP 2-64-64-2, AdamW, warmup + cosine:");
    Path checkpoint = out.resolve("spiral-halfway.safetensors");
    try {
      java.nio.file.Files.createDirectories(out);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    SpiralClassifier.Result spirals =
        SpiralClassifier.train(SpiralClassifier.Config.DEFAULT, checkpoint, log);
    written.addAll(SpiralClassifier.charts(spirals, out));
    log.println("Two spirals again, with rules that need no learning rate:");
    written.addAll(
        SpiralClassifier.charts(
            spirals,
            SpiralClassifier.trainLearningRateFree(SpiralClassifier.Config.DEFAULT, log),
            out));
    log.println(
        "Two spirals on DJL: StrideOptimizer AdamW (warmup + cosine, clipped) and DJL's Adam:");
    written.addAll(
        DjlSpiralClassifier.charts(
            DjlSpiralClassifier.train(
                DjlSpiralClassifier.Config.DEFAULT,
                out.resolve("spiral-djl-halfway.safetensors"),
                log),
            out));
    log.println("Two spirals again, AdamW with 8-bit and 4-bit state:");
    written.addAll(
        SpiralClassifier.chartsLowPrecision(
            spirals,
            SpiralClassifier.trainLowPrecision(SpiralClassifier.Config.DEFAULT, spirals, log),
            out));
    written.stream()
        .filter(p -> p.toString().endsWith(".png"))
        .forEach(p -> log.println("wrote " + p));
    log.println(
        String.format(
            Locale.ROOT,
            "done in %.1f s; SVG and CSV beside each picture",
            (System.nanoTime() - start) / 1e9));
  }
}
