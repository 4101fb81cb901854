package dev.stride.examples;

import java.nio.file.Path;

/**
 * Runs the examples:
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
    LinearRegression.run(log);
    log.println("Two spirals, MLP 2-64-64-2, AdamW, warmup + cosine:");
    SpiralClassifier.train(SpiralClassifier.Config.DEFAULT, log);
    log.println(String.format("done in %.1f s", (System.nanoTime() - start) / 1e9));
  }
}
