package dev.stride.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stride.training.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Translates a PyTorch 1.13 scheduler spec of {@code golden/schedules.json} into the Stride
 * schedules that give the same trajectory, including PyTorch's quirks; see {@link #translate}.
 */
final class PyTorchSchedules {
  private PyTorchSchedules() {}

  /**
   * What a case replays: the rate, the momentum or β1 where recorded, a plateau to feed metrics.
   */
  record Replay(Schedule lr, Optional<Schedule> momentum, Optional<ReduceLrOnPlateau> plateau) {}

  /** A spec that Stride does not express; the case is reported skipped with this reason. */
  static final class Unsupported extends RuntimeException {
    private static final long serialVersionUID = 1;

    Unsupported(String reason) {
      super(reason);
    }
  }

  /**
   * The Stride schedules for a case's {@code spec}.
   *
   * @param steps how many steps the case runs: PyTorch's chained cosine is a product of factors
   *     only up to {@code T_max + 1}
   * @throws Unsupported for schedulers built on Python lambdas, unknown ones, and compositions that
   *     are not a product or sequence of Stride forms
   */
  static Replay translate(JsonNode spec, int steps) {
    String kind = spec.get("scheduler").asText();
    JsonNode hyper = spec.get("optimizer_hyper");
    double optimizerLr =
        hyper != null && hyper.has("lr")
            ? hyper.get("lr").asDouble()
            : spec.get("base_lr").asDouble();
    Schedule fixedMomentum = new Constant(optimizerMomentum(spec));
    return switch (kind) {
      case "ReduceLROnPlateau" -> {
        ReduceLrOnPlateau plateau = plateau(spec.get("args"), optimizerLr);
        yield new Replay(plateau, Optional.of(fixedMomentum), Optional.of(plateau));
      }
      case "SequentialLR" ->
          new Replay(
              sequential(spec, optimizerLr),
              compositeMomentum(spec, fixedMomentum),
              Optional.empty());
      case "ChainedScheduler" ->
          new Replay(
              chained(spec, optimizerLr, steps),
              compositeMomentum(spec, fixedMomentum),
              Optional.empty());
      case "CyclicLR" -> {
        Cyclic cyclic = cyclic(spec.get("args"));
        yield new Replay(
            cyclic, Optional.of(cyclic.momentum().orElse(fixedMomentum)), Optional.empty());
      }
      case "OneCycleLR" -> {
        OneCycle oneCycle = oneCycle(spec.get("args"));
        yield new Replay(
            oneCycle, Optional.of(oneCycle.momentum().orElse(fixedMomentum)), Optional.empty());
      }
      default ->
          new Replay(
              single(kind, spec.get("args"), optimizerLr),
              Optional.of(fixedMomentum),
              Optional.empty());
    };
  }

  /**
   * A composition leaves the momentum alone unless a part cycles it; then it is whatever the part
   * built or stepped last set, which Stride does not model.
   */
  private static Optional<Schedule> compositeMomentum(JsonNode spec, Schedule fixedMomentum) {
    for (JsonNode child : spec.get("children")) {
      String kind = child.get("scheduler").asText();
      if ((kind.equals("CyclicLR") || kind.equals("OneCycleLR"))
          && bool(child.get("args"), "cycle_momentum", true)) {
        if (bool(spec, "record_momentum", false)) {
          throw new Unsupported(
              "the momentum of a "
                  + spec.get("scheduler").asText()
                  + " with a part that cycles it");
        }
        return Optional.empty();
      }
    }
    return Optional.of(fixedMomentum);
  }

  /** The optimizer's own momentum (SGD) or β1 (Adam), PyTorch's defaults where not given. */
  private static double optimizerMomentum(JsonNode spec) {
    JsonNode hyper = spec.get("optimizer_hyper");
    boolean adam = spec.has("optimizer") && spec.get("optimizer").asText().startsWith("Adam");
    if (adam) {
      return hyper != null && hyper.has("betas") ? hyper.get("betas").get(0).asDouble() : 0.9;
    }
    return hyper != null && hyper.has("momentum") ? hyper.get("momentum").asDouble() : 0;
  }

  /** A scheduler whose rate depends on {@code base}, its {@code base_lrs}. */
  private static Schedule single(String kind, JsonNode a, double base) {
    return switch (kind) {
      case "StepLR" -> Schedules.step(base, integer(a, "step_size", -1), number(a, "gamma", 0.1));
      case "MultiStepLR" -> multiStep(base, a);
      // total_iters = 0: the recursive form applies the factor at step 0 and never takes it back.
      case "ConstantLR" ->
          integer(a, "total_iters", 5) == 0
              ? new Constant(base * number(a, "factor", 1.0 / 3))
              : Schedules.constantFactor(
                  base, number(a, "factor", 1.0 / 3), integer(a, "total_iters", 5));
      case "LinearLR" ->
          integer(a, "total_iters", 5) == 0
              ? new Constant(base * number(a, "start_factor", 1.0 / 3))
              : Schedules.linear(
                  base,
                  number(a, "start_factor", 1.0 / 3),
                  number(a, "end_factor", 1.0),
                  integer(a, "total_iters", 5));
      case "ExponentialLR" -> Schedules.exponential(base, number(a, "gamma", Double.NaN));
      case "PolynomialLR" ->
          Schedules.polynomial(base, integer(a, "total_iters", 5), number(a, "power", 1.0));
      case "CosineAnnealingLR" ->
          Schedules.cosine(base, number(a, "eta_min", 0), integer(a, "T_max", -1));
      case "CosineAnnealingWarmRestarts" ->
          Schedules.cosineWarmRestarts(
              base, number(a, "eta_min", 0), integer(a, "T_0", -1), integer(a, "T_mult", 1));
      case "CyclicLR" -> cyclic(a);
      case "OneCycleLR" -> oneCycle(a);
      case "LambdaLR", "MultiplicativeLR" ->
          throw new Unsupported(kind + " takes a Python function, which a spec cannot carry");
      default -> throw new Unsupported("unknown scheduler " + kind);
    };
  }

  /** MultiStepLR counts milestones as a multiset: a repeated one decays by γ^count at once. */
  private static Schedule multiStep(double base, JsonNode a) {
    double gamma = number(a, "gamma", 0.1);
    TreeMap<Long, Integer> counts = new TreeMap<>();
    for (JsonNode m : a.get("milestones")) {
      counts.merge(m.asLong(), 1, Integer::sum);
    }
    if (counts.isEmpty()) {
      return new Constant(base);
    }
    long[] boundaries = counts.keySet().stream().mapToLong(Long::longValue).toArray();
    if (counts.values().stream().allMatch(c -> c == 1)) {
      return Schedules.multiStep(base, gamma, boundaries);
    }
    double[] values = new double[boundaries.length + 1];
    values[0] = base;
    int passed = 0;
    for (int i = 0; i < boundaries.length; i++) {
      passed += counts.get(boundaries[i]);
      values[i + 1] = base * Math.pow(gamma, passed);
    }
    return Schedules.piecewiseConstant(boundaries, values);
  }

  private static Cyclic cyclic(JsonNode a) {
    Cyclic.Builder b =
        Schedules.cyclic(
            number(a, "base_lr", Double.NaN),
            number(a, "max_lr", Double.NaN),
            integer(a, "step_size_up", 2000));
    if (a.has("step_size_down") && !a.get("step_size_down").isNull()) {
      b.stepsDown(integer(a, "step_size_down", -1));
    }
    switch (text(a, "mode", "triangular")) {
      case "triangular" -> b.mode(Cyclic.Mode.TRIANGULAR);
      case "triangular2" -> b.mode(Cyclic.Mode.TRIANGULAR2);
      case "exp_range" -> b.expRange(number(a, "gamma", 1.0));
      default -> throw new Unsupported("CyclicLR mode " + a.get("mode"));
    }
    // scale_mode matters only with a scale_fn, which a spec cannot carry; the modes fix it.
    if (a.has("scale_fn")) {
      throw new Unsupported("CyclicLR with a scale_fn (a Python function)");
    }
    if (bool(a, "cycle_momentum", true)) {
      b.momentum(number(a, "base_momentum", 0.8), number(a, "max_momentum", 0.9));
    } else {
      b.noMomentum();
    }
    return b.build();
  }

  private static OneCycle oneCycle(JsonNode a) {
    double maxLr = number(a, "max_lr", Double.NaN);
    OneCycle.Builder b =
        a.has("total_steps") && !a.get("total_steps").isNull()
            ? OneCycle.builder(maxLr, integer(a, "total_steps", -1))
            : OneCycle.builder(maxLr, integer(a, "epochs", -1), integer(a, "steps_per_epoch", -1));
    b.pctStart(number(a, "pct_start", 0.3))
        .anneal(
            switch (text(a, "anneal_strategy", "cos")) {
              case "cos" -> OneCycle.Anneal.COS;
              case "linear" -> OneCycle.Anneal.LINEAR;
              default ->
                  throw new Unsupported("OneCycleLR anneal_strategy " + a.get("anneal_strategy"));
            })
        .divFactor(number(a, "div_factor", 25))
        .finalDivFactor(number(a, "final_div_factor", 1e4))
        .threePhase(bool(a, "three_phase", false));
    if (bool(a, "cycle_momentum", true)) {
      b.momentum(number(a, "base_momentum", 0.85), number(a, "max_momentum", 0.95));
    } else {
      b.noMomentum();
    }
    return b.build();
  }

  private static ReduceLrOnPlateau plateau(JsonNode a, double initial) {
    return Schedules.reduceOnPlateau(initial)
        .mode(text(a, "mode", "min").equals("max") ? Mode.MAX : Mode.MIN)
        .factor(number(a, "factor", 0.1))
        .patience(integer(a, "patience", 10))
        .threshold(
            number(a, "threshold", 1e-4),
            text(a, "threshold_mode", "rel").equals("abs")
                ? ReduceLrOnPlateau.ThresholdMode.ABSOLUTE
                : ReduceLrOnPlateau.ThresholdMode.RELATIVE)
        .cooldown(integer(a, "cooldown", 0))
        .minValue(number(a, "min_lr", 0))
        .eps(number(a, "eps", 1e-8))
        .build();
  }

  /**
   * SequentialLR resets the rate to the group's {@code initial_lr} and starts the first child from
   * it; a later child restarts at its milestone from its closed form at step 0, computed from the
   * {@code base_lrs} it took when built. Those are the {@code initial_lr} at that moment, which the
   * first scheduler built sets (CyclicLR to its own base_lr) and every OneCycleLR overwrites.
   */
  private static Schedule sequential(JsonNode spec, double optimizerLr) {
    long[] milestones = longs(spec.get("args").get("milestones"));
    for (int i = 0; i < milestones.length; i++) {
      if (milestones[i] <= 0 || (i > 0 && milestones[i] <= milestones[i - 1])) {
        throw new Unsupported(
            "SequentialLR milestones "
                + spec.get("args").get("milestones")
                + ": PyTorch then skips or re-enters children; Stride takes increasing milestones >"
                + " 0");
      }
    }
    List<JsonNode> children = new ArrayList<>();
    spec.get("children").forEach(children::add);
    Double initialLr = null;
    double[] bases = new double[children.size()];
    for (int i = 0; i < children.size(); i++) {
      JsonNode child = children.get(i);
      JsonNode a = child.get("args");
      switch (child.get("scheduler").asText()) {
        case "CyclicLR" ->
            initialLr = initialLr != null ? initialLr : number(a, "base_lr", Double.NaN);
        case "OneCycleLR" ->
            initialLr = number(a, "max_lr", Double.NaN) / number(a, "div_factor", 25);
        case "SequentialLR", "ChainedScheduler", "ReduceLROnPlateau" ->
            throw new Unsupported(
                "a " + child.get("scheduler").asText() + " inside a SequentialLR");
        default -> initialLr = initialLr != null ? initialLr : optimizerLr;
      }
      bases[i] = initialLr;
    }
    bases[0] = initialLr; // the first child runs from the reset rate
    List<Schedule> parts = new ArrayList<>();
    for (int i = 0; i < children.size(); i++) {
      parts.add(
          single(children.get(i).get("scheduler").asText(), children.get(i).get("args"), bases[i]));
    }
    return Schedules.sequential(parts, milestones);
  }

  /**
   * ChainedScheduler applies each child's recursive update to the rate the others left. For the
   * multiplicative forms that telescopes to a product of factors, which Stride's {@link Chained}
   * computes; cosine annealing is one while it has not passed {@code T_max} (its restart adds a
   * base-relative amount), and only without a floor.
   */
  private static Schedule chained(JsonNode spec, double optimizerLr, int steps) {
    List<Schedule> parts = new ArrayList<>();
    for (JsonNode child : spec.get("children")) {
      String kind = child.get("scheduler").asText();
      JsonNode a = child.get("args");
      boolean product =
          switch (kind) {
            case "StepLR",
                "MultiStepLR",
                "ConstantLR",
                "LinearLR",
                "ExponentialLR",
                "PolynomialLR" ->
                true;
            case "CosineAnnealingLR" ->
                number(a, "eta_min", 0) == 0 && steps <= integer(a, "T_max", -1) + 1;
            default -> false;
          };
      if (!product) {
        throw new Unsupported(
            "ChainedScheduler with "
                + kind
                + " "
                + a
                + " over "
                + steps
                + " steps: PyTorch's recursive chaining is then no product of factors, which is"
                + " what Stride's Chained computes");
      }
      parts.add(single(kind, a, parts.isEmpty() ? optimizerLr : 1.0));
    }
    return new Chained(parts);
  }

  private static double number(JsonNode a, String name, double fallback) {
    JsonNode v = a == null ? null : a.get(name);
    if (v == null || v.isNull()) {
      if (Double.isNaN(fallback)) {
        throw new IllegalArgumentException("the spec lacks " + name);
      }
      return fallback;
    }
    if (v.isArray()) { // a per-group list: one group here
      if (v.size() != 1) {
        throw new Unsupported(name + " = " + v + ": a value per group, for one group");
      }
      v = v.get(0);
    }
    return v.asDouble();
  }

  private static long integer(JsonNode a, String name, long fallback) {
    JsonNode v = a == null ? null : a.get(name);
    if (v == null || v.isNull()) {
      if (fallback < 0) {
        throw new IllegalArgumentException("the spec lacks " + name);
      }
      return fallback;
    }
    double d = v.asDouble();
    if (d != Math.rint(d)) {
      throw new Unsupported(name + " = " + d + " is not a whole number of steps");
    }
    return (long) d;
  }

  private static String text(JsonNode a, String name, String fallback) {
    JsonNode v = a == null ? null : a.get(name);
    return v == null || v.isNull() ? fallback : v.asText();
  }

  private static boolean bool(JsonNode a, String name, boolean fallback) {
    JsonNode v = a == null ? null : a.get(name);
    return v == null || v.isNull() ? fallback : v.asBoolean();
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }
}
