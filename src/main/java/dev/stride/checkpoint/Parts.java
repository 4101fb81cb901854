package dev.stride.checkpoint;

import dev.stride.schedule.ReduceLrOnPlateau;
import dev.stride.schedule.ScheduleBinding;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** The ready-made {@link CheckpointPart}s, and reading their JSON back with clear refusals. */
final class Parts {
  private Parts() {}

  /** A part of numbers only, from a state function and a checked restorer. */
  private interface Numbers extends CheckpointPart {
    @Override
    default Runnable restorer(Map<String, Object> state, Map<String, MemorySegment> tensors) {
      if (!tensors.isEmpty()) {
        throw new IllegalArgumentException("has tensors " + tensors.keySet() + "; it keeps none");
      }
      return restorer(state);
    }

    Runnable restorer(Map<String, Object> state);
  }

  static CheckpointPart schedule(ScheduleBinding<?> binding) {
    Objects.requireNonNull(binding, "binding");
    return new Numbers() {
      @Override
      public Map<String, ?> state() {
        return Map.of("next_step", binding.nextStep());
      }

      @Override
      public Runnable restorer(Map<String, Object> state) {
        long next = count(state, "next_step");
        return () -> binding.resumeAt(next);
      }
    };
  }

  static CheckpointPart plateau(ReduceLrOnPlateau plateau) {
    Objects.requireNonNull(plateau, "plateau");
    return new Numbers() {
      @Override
      public Map<String, ?> state() {
        ReduceLrOnPlateau.State s = plateau.state();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("value", s.value());
        m.put("best", s.best());
        m.put("bad_steps", s.badSteps());
        m.put("cooldown_left", s.cooldownLeft());
        m.put("observations", s.observations());
        return m;
      }

      @Override
      public Runnable restorer(Map<String, Object> state) {
        ReduceLrOnPlateau.State s = new ReduceLrOnPlateau.State(number(state, "value"),
            number(state, "best"), count(state, "bad_steps"), count(state, "cooldown_left"),
            count(state, "observations"));
        return () -> plateau.restore(s);
      }
    };
  }

  /** The number under {@code key}. */
  static double number(Map<String, Object> state, String key) {
    if (!(state.get(key) instanceof Number n)) {
      throw new IllegalArgumentException(key + " must be a number, got " + state.get(key));
    }
    return n.doubleValue();
  }

  /** The non-negative integer under {@code key}. */
  static long count(Map<String, Object> state, String key) {
    if (!(state.get(key) instanceof Long l) || l < 0) {
      throw new IllegalArgumentException(key + " must be an integer >= 0, got " + state.get(key));
    }
    return l;
  }

  static boolean bool(Map<String, Object> state, String key) {
    if (!(state.get(key) instanceof Boolean b)) {
      throw new IllegalArgumentException(key + " must be true or false, got " + state.get(key));
    }
    return b;
  }
}
