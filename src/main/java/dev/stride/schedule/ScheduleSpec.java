package dev.stride.schedule;

import dev.stride.training.Mode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A schedule written as text, for the command line: {@code name(arg, …, key=value, …)}, the
 * arguments in the order below or by name, a value a number, a word, a list {@code [a, b]} or
 * another schedule. Defaults in brackets.
 *
 * <pre>
 * constant(value)                           step(lr, size, gamma)
 * multistep(lr, gamma, milestones)          piecewise(boundaries, values)
 * exponential(lr, gamma, decay[1], staircase[false])
 * natural_exp(lr, k, decay[1], staircase[false])
 * inverse_time(lr, k, decay[1], staircase[false])
 * inverse_sqrt(lr, k)                       linear(lr, start, end, steps)
 * polynomial(lr, steps, power[1], end[0], cycle[false])
 * cosine(lr, tmax, min[0])                  restarts(lr, t0, tmult[1], min[0], mmul[1])
 * cyclic(base, max, up, down[up], mode[triangular|triangular2|exp_range], gamma[1])
 * onecycle(max, steps, pct[0.3], anneal[cos|linear], div[25], final_div[1e4], three_phase[false])
 * random(seed, min, max)                    clamp(of, min, max)
 * warmup(steps, then, start[0], kind[linear|constant])
 * sequential(parts, milestones)             chained(parts)
 * plateau(lr, metrics, factor[0.1], patience[10], cooldown[0], min[0], mode[min|max], threshold[1e-4])
 * </pre>
 *
 * <p>For example {@code warmup(5, cosine(0.1, 95))}. A plateau is shown the metrics of its list,
 * one after each step from step 0 (the last one repeated after the list ends).
 */
public final class ScheduleSpec {
  private final String text;
  private int pos;

  private ScheduleSpec(String text) {
    this.text = text;
  }

  /** A schedule and the plateaus in it, each with the metrics to show it after each step. */
  public record Parsed(Schedule schedule, List<Feed> feeds) {
    /**
     * The value at {@code step}, after which each plateau is shown its metric of that step (the
     * last of its list once the list ends). Call with 0, 1, 2, … in turn.
     */
    public double next(long step) {
      double value = schedule.valueAt(step);
      for (Feed feed : feeds) {
        feed.plateau().observe(feed.metrics()[(int) Math.min(step, feed.metrics().length - 1)]);
      }
      return value;
    }
  }

  /** A plateau and the metrics it is shown. */
  public record Feed(ReduceLrOnPlateau plateau, double[] metrics) {}

  /**
   * Parses a spec.
   *
   * @throws IllegalArgumentException naming what is wrong and where
   */
  public static Parsed parse(String text) {
    ScheduleSpec p = new ScheduleSpec(text);
    Object value = p.value();
    p.skipSpace();
    if (p.pos != text.length()) {
      throw p.error("unexpected '" + text.charAt(p.pos) + "'");
    }
    if (!(value instanceof Parsed parsed)) {
      throw new IllegalArgumentException("\"" + text + "\" is not a schedule, got " + value);
    }
    return parsed;
  }

  // ---- grammar: value = number | word | list | call

  private Object value() {
    skipSpace();
    if (pos >= text.length()) {
      throw error("a value is missing");
    }
    char c = text.charAt(pos);
    if (c == '[') {
      pos++;
      List<Object> items = new ArrayList<>();
      skipSpace();
      if (peek(']')) {
        pos++;
        return items;
      }
      do {
        items.add(value());
      } while (accept(','));
      expect(']');
      return items;
    }
    int start = pos;
    while (pos < text.length()
        && (Character.isLetterOrDigit(text.charAt(pos)) || "_.-+".indexOf(text.charAt(pos)) >= 0)) {
      pos++;
    }
    if (start == pos) {
      throw error("unexpected '" + c + "'");
    }
    String word = text.substring(start, pos);
    skipSpace();
    if (peek('(')) {
      pos++;
      return call(word, start);
    }
    try {
      return Double.parseDouble(word);
    } catch (NumberFormatException e) {
      return word;
    }
  }

  private Parsed call(String name, int at) {
    List<Object> positional = new ArrayList<>();
    Map<String, Object> named = new LinkedHashMap<>();
    skipSpace();
    if (!peek(')')) {
      do {
        skipSpace();
        int mark = pos;
        Object v = value();
        if (v instanceof String key && accept('=')) {
          named.put(key, value());
        } else {
          if (!named.isEmpty()) {
            pos = mark;
            throw error("a positional argument after a named one");
          }
          positional.add(v);
        }
      } while (accept(','));
    }
    expect(')');
    try {
      return build(name, new Arguments(name, positional, named));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          name + " at " + at + " in \"" + text + "\": " + e.getMessage(), e);
    }
  }

  private static Parsed build(String name, Arguments a) {
    Schedule s =
        switch (name) {
          case "constant" -> Schedules.constant(a.number("value", null));
          case "step" ->
              Schedules.step(a.number("lr", null), a.steps("size", null), a.number("gamma", null));
          case "multistep" ->
              Schedules.multiStep(
                  a.number("lr", null), a.number("gamma", null), a.stepList("milestones"));
          case "piecewise" ->
              Schedules.piecewiseConstant(a.stepList("boundaries"), a.numberList("values"));
          case "exponential" ->
              Schedules.exponential(
                  a.number("lr", null),
                  a.number("gamma", null),
                  a.steps("decay", 1L),
                  a.flag("staircase", false));
          case "natural_exp" ->
              Schedules.naturalExponential(
                  a.number("lr", null),
                  a.number("k", null),
                  a.steps("decay", 1L),
                  a.flag("staircase", false));
          case "inverse_time" ->
              Schedules.inverseTime(
                  a.number("lr", null),
                  a.number("k", null),
                  a.steps("decay", 1L),
                  a.flag("staircase", false));
          case "inverse_sqrt" -> Schedules.inverseSqrt(a.number("lr", null), a.number("k", null));
          case "linear" ->
              Schedules.linear(
                  a.number("lr", null),
                  a.number("start", null),
                  a.number("end", null),
                  a.steps("steps", null));
          case "polynomial" -> {
            double lr = a.number("lr", null);
            long steps = a.steps("steps", null);
            double power = a.number("power", 1.0);
            yield Schedules.polynomial(
                lr, a.number("end", 0.0), steps, power, a.flag("cycle", false));
          }
          case "cosine" -> {
            double lr = a.number("lr", null);
            long tMax = a.steps("tmax", null);
            yield Schedules.cosine(lr, a.number("min", 0.0), tMax);
          }
          case "restarts" -> {
            double lr = a.number("lr", null);
            long t0 = a.steps("t0", null);
            long tMult = a.steps("tmult", 1L);
            yield new CosineWarmRestarts(
                lr, a.number("min", 0.0), t0, tMult, a.number("mmul", 1.0));
          }
          case "cyclic" -> cyclic(a);
          case "onecycle" ->
              Schedules.oneCycle(a.number("max", null), a.steps("steps", null))
                  .pctStart(a.number("pct", 0.3))
                  .anneal(OneCycle.Anneal.valueOf(a.word("anneal", "cos").toUpperCase()))
                  .divFactor(a.number("div", 25.0))
                  .finalDivFactor(a.number("final_div", 1e4))
                  .threePhase(a.flag("three_phase", false))
                  .build();
          case "random" ->
              Schedules.uniformRandom(
                  a.steps("seed", null), a.number("min", null), a.number("max", null));
          case "clamp" -> a.schedule("of").clamp(a.number("min", null), a.number("max", null));
          case "warmup" -> {
            long steps = a.steps("steps", null);
            Schedule then = a.schedule("then");
            double start = a.number("start", 0.0);
            yield switch (a.word("kind", "linear")) {
              case "linear" -> Schedules.linearWarmup(steps, start, then);
              case "constant" -> Schedules.constantWarmup(steps, start, then);
              default ->
                  throw new IllegalArgumentException(
                      "kind must be linear or constant, got " + a.word("kind", ""));
            };
          }
          case "sequential" ->
              Schedules.sequential(a.scheduleList("parts"), a.stepList("milestones"));
          case "chained" -> Schedules.chained(a.scheduleList("parts").toArray(Schedule[]::new));
          case "plateau" -> {
            double lr = a.number("lr", null);
            double[] metrics = a.numberList("metrics");
            if (metrics.length == 0) {
              throw new IllegalArgumentException("metrics must not be empty, got []");
            }
            ReduceLrOnPlateau plateau =
                Schedules.reduceOnPlateau(lr)
                    .factor(a.number("factor", 0.1))
                    .patience(a.steps("patience", 10L))
                    .cooldown(a.steps("cooldown", 0L))
                    .minValue(a.number("min", 0.0))
                    .mode(Mode.valueOf(a.word("mode", "min").toUpperCase()))
                    .threshold(
                        a.number("threshold", 1e-4), ReduceLrOnPlateau.ThresholdMode.RELATIVE)
                    .build();
            a.feeds.add(new Feed(plateau, metrics));
            yield plateau;
          }
          default -> throw new IllegalArgumentException("unknown schedule " + name);
        };
    a.checkAllUsed();
    return new Parsed(s, List.copyOf(a.feeds));
  }

  private static Cyclic cyclic(Arguments a) {
    double base = a.number("base", null);
    double max = a.number("max", null);
    long up = a.steps("up", null);
    Cyclic.Builder b = Schedules.cyclic(base, max, up).stepsDown(a.steps("down", up)).noMomentum();
    return switch (a.word("mode", "triangular")) {
      case "triangular" -> b.mode(Cyclic.Mode.TRIANGULAR).build();
      case "triangular2" -> b.mode(Cyclic.Mode.TRIANGULAR2).build();
      case "exp_range" -> b.expRange(a.number("gamma", 1.0)).build();
      default ->
          throw new IllegalArgumentException(
              "mode must be triangular, triangular2 or exp_range, got " + a.word("mode", ""));
    };
  }

  /** A call's arguments, taken by name or by position in the order they are asked for. */
  private static final class Arguments {
    private final String call;
    private final List<Object> positional;
    private final Map<String, Object> named;
    private final Set<String> asked = new HashSet<>();

    /** The plateaus of this call and of the schedules among its arguments. */
    private final List<Feed> feeds = new ArrayList<>();

    private int next;

    Arguments(String call, List<Object> positional, Map<String, Object> named) {
      this.call = call;
      this.positional = positional;
      this.named = named;
    }

    private Object get(String name, Object fallback) {
      asked.add(name);
      Object v =
          named.containsKey(name)
              ? named.get(name)
              : next < positional.size() ? positional.get(next++) : fallback;
      if (v == null) {
        throw new IllegalArgumentException(name + " is missing");
      }
      return v;
    }

    double number(String name, Double fallback) {
      Object v = get(name, fallback);
      if (v instanceof Double d) {
        return d;
      }
      throw new IllegalArgumentException(name + " must be a number, got " + v);
    }

    long steps(String name, Long fallback) {
      double d = number(name, fallback == null ? null : fallback.doubleValue());
      if (d != Math.rint(d)) {
        throw new IllegalArgumentException(name + " must be a whole number, got " + d);
      }
      return (long) d;
    }

    boolean flag(String name, boolean fallback) {
      return switch (word(name, Boolean.toString(fallback))) {
        case "true" -> true;
        case "false" -> false;
        default ->
            throw new IllegalArgumentException(
                name + " must be true or false, got " + named.get(name));
      };
    }

    String word(String name, String fallback) {
      return String.valueOf(get(name, fallback));
    }

    Schedule schedule(String name) {
      if (get(name, null) instanceof Parsed p) {
        feeds.addAll(p.feeds());
        return p.schedule();
      }
      throw new IllegalArgumentException(name + " must be a schedule");
    }

    List<?> list(String name) {
      if (get(name, null) instanceof List<?> list) {
        return list;
      }
      throw new IllegalArgumentException(name + " must be a list [a, b, …]");
    }

    double[] numberList(String name) {
      return list(name).stream()
          .mapToDouble(
              v -> {
                if (v instanceof Double d) {
                  return d;
                }
                throw new IllegalArgumentException(name + " must hold numbers, got " + v);
              })
          .toArray();
    }

    long[] stepList(String name) {
      double[] values = numberList(name);
      long[] steps = new long[values.length];
      for (int i = 0; i < values.length; i++) {
        if (values[i] != Math.rint(values[i])) {
          throw new IllegalArgumentException(
              name + " must hold whole numbers, got " + Arrays.toString(values));
        }
        steps[i] = (long) values[i];
      }
      return steps;
    }

    List<Schedule> scheduleList(String name) {
      return list(name).stream()
          .map(
              v -> {
                if (v instanceof Parsed p) {
                  feeds.addAll(p.feeds());
                  return p.schedule();
                }
                throw new IllegalArgumentException(name + " must hold schedules, got " + v);
              })
          .toList();
    }

    void checkAllUsed() {
      if (next < positional.size()) {
        throw new IllegalArgumentException(
            call + " takes " + next + " arguments, got " + positional.size());
      }
      for (String key : named.keySet()) {
        if (!asked.contains(key)) {
          throw new IllegalArgumentException(call + " has no argument " + key);
        }
      }
    }
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private boolean peek(char c) {
    skipSpace();
    return pos < text.length() && text.charAt(pos) == c;
  }

  private boolean accept(char c) {
    if (peek(c)) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(char c) {
    if (!accept(c)) {
      throw error("expected '" + c + "'");
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at " + pos + " in \"" + text + "\"");
  }
}
