package dev.stride.examples;

import java.io.Console;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Where an example reports: lines of text, and {@link ProgressBar}s that redraw one line in place
 * on a terminal but print a few plain lines anywhere else, where every redraw would stay in the log
 * as a line of its own.
 *
 * @param terminal whether {@code out} is an interactive terminal
 */
public record Log(PrintStream out, boolean terminal) {

  /** Standard output; a terminal if the JVM's console is one. */
  public static Log standardOutput() {
    Console console = System.console();
    return new Log(System.out, console != null && console.isTerminal());
  }

  /** Discards everything, for tests. */
  public static Log quiet() {
    return new Log(new PrintStream(OutputStream.nullOutputStream()), false);
  }

  public void println(String line) {
    out.println(line);
  }

  ProgressBar progress(String label, int total) {
    return new ProgressBar(this, label, total);
  }
}
