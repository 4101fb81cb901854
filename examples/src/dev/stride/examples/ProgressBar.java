package dev.stride.examples;

import java.util.Locale;

/**
 * Progress through a known number of steps, with a status such as the loss: {@code training
 * [###########.........] 1200/2400 loss 0.120 3.1 s}. On a terminal it is one line redrawn with
 * {@code \r} at most every 50 ms, ended by {@link #close()}; elsewhere it prints a line at each
 * quarter.
 */
final class ProgressBar implements AutoCloseable {
  private static final int WIDTH = 30;
  private static final int PLAIN_LINES = 4;
  private static final long REDRAW_NANOS = 50_000_000;

  private final Log log;
  private final String label;
  private final int total;
  private final long start = System.nanoTime();
  private long nextDraw = start;
  private boolean drawn;
  private int plainLinesPrinted;

  ProgressBar(Log log, String label, int total) {
    if (total < 1) {
      throw new IllegalArgumentException("total must be >= 1, got " + total);
    }
    this.log = log;
    this.label = label;
    this.total = total;
  }

  /** Reports that {@code done} of the steps are done. */
  void update(int done, String status) {
    long now = System.nanoTime();
    if (log.terminal()) {
      if (done == total || now - nextDraw >= 0) {
        nextDraw = now + REDRAW_NANOS;
        drawn = true;
        log.out().print("\r" + line(done, status, now));
        log.out().flush();
      }
    } else if ((long) done * PLAIN_LINES >= (long) (plainLinesPrinted + 1) * total) {
      plainLinesPrinted++;
      log.println(line(done, status, now));
    }
  }

  /** Ends the bar's line on a terminal, also when it stopped short of the total. */
  @Override
  public void close() {
    if (drawn) {
      log.out().println();
      drawn = false;
    }
  }

  private String line(int done, String status, long now) {
    int filled = (int) ((long) done * WIDTH / total);
    String count = "%" + String.valueOf(total).length() + "d/%d";
    return String.format(
        Locale.ROOT,
        "%s [%s%s] " + count + "  %s  %.1f s",
        label,
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        done,
        total,
        status,
        (now - start) / 1e9);
  }
}
