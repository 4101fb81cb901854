package dev.stride.checkpoint;

import dev.stride.optim.LossScaler;
import dev.stride.optim.WeightAverage;
import dev.stride.schedule.ReduceLrOnPlateau;
import dev.stride.schedule.ScheduleBinding;
import dev.stride.training.EarlyStopping;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
        ReduceLrOnPlateau.State s =
            new ReduceLrOnPlateau.State(
                number(state, "value"),
                number(state, "best"),
                count(state, "bad_steps"),
                count(state, "cooldown_left"),
                count(state, "observations"));
        return () -> plateau.restore(s);
      }
    };
  }

  static CheckpointPart earlyStopping(EarlyStopping earlyStopping) {
    Objects.requireNonNull(earlyStopping, "earlyStopping");
    return new Numbers() {
      @Override
      public Map<String, ?> state() {
        EarlyStopping.State s = earlyStopping.state();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", s.epochs());
        m.put("wait", s.epochsWaited());
        m.put("best", s.best());
        m.put("best_epoch", s.bestEpoch());
        m.put("stopped_epoch", s.stoppedEpoch());
        m.put("best_weights_saved", s.bestWeightsSaved());
        return m;
      }

      @Override
      public Runnable restorer(Map<String, Object> state) {
        if (!(state.get("stopped_epoch") instanceof Long stopped)) {
          throw new IllegalArgumentException(
              "stopped_epoch must be an integer, got " + state.get("stopped_epoch"));
        }
        EarlyStopping.State s =
            new EarlyStopping.State(
                count(state, "epochs"),
                count(state, "wait"),
                number(state, "best"),
                count(state, "best_epoch"),
                stopped,
                bool(state, "best_weights_saved"));
        return () -> earlyStopping.restore(s);
      }
    };
  }

  static CheckpointPart lossScaler(LossScaler scaler) {
    Objects.requireNonNull(scaler, "scaler");
    return new Numbers() {
      @Override
      public Map<String, ?> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", (double) scaler.state().scale());
        m.put("good_steps", scaler.state().goodSteps());
        return m;
      }

      @Override
      public Runnable restorer(Map<String, Object> state) {
        LossScaler.State s =
            new LossScaler.State((float) number(state, "scale"), count(state, "good_steps"));
        // the scaler's own checks, on a scratch one built alike: the real one is not touched yet
        new LossScaler(scaler.optimizer(), scaler.options()).restore(s);
        return () -> scaler.restore(s);
      }
    };
  }

  static CheckpointPart average(WeightAverage average) {
    Objects.requireNonNull(average, "average");
    return new CheckpointPart() {
      @Override
      public Map<String, ?> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", average.kind().name().toLowerCase(Locale.ROOT));
        m.put("decay", average.decay());
        m.put("every", average.every());
        m.put("updates", average.updates());
        m.put("last_fold", average.lastFold());
        return m;
      }

      @Override
      public Map<String, MemorySegment> tensors() {
        Map<String, MemorySegment> tensors = new LinkedHashMap<>();
        List<MemorySegment> averages = average.averages();
        for (int i = 0; i < averages.size(); i++) {
          tensors.put(Integer.toString(i), averages.get(i));
        }
        return tensors;
      }

      @Override
      public Runnable restorer(Map<String, Object> state, Map<String, MemorySegment> tensors) {
        String kind = average.kind().name().toLowerCase(Locale.ROOT);
        if (!kind.equals(state.get("kind"))
            || number(state, "decay") != average.decay()
            || count(state, "every") != average.every()) {
          throw new IllegalArgumentException(
              "it was saved from a "
                  + state.get("kind")
                  + " of decay "
                  + state.get("decay")
                  + " every "
                  + state.get("every")
                  + " steps; this average is a "
                  + kind
                  + " of decay "
                  + average.decay()
                  + " every "
                  + average.every());
        }
        long updates = count(state, "updates");
        if (!(state.get("last_fold") instanceof Long lastFold) || lastFold < -1) {
          throw new IllegalArgumentException(
              "last_fold must be an integer >= -1, got " + state.get("last_fold"));
        }
        List<MemorySegment> mine = average.averages();
        if (tensors.size() != mine.size()) {
          throw new IllegalArgumentException(
              "it has " + tensors.size() + " averages, this one " + mine.size() + " parameters");
        }
        List<MemorySegment> values = new ArrayList<>();
        for (int i = 0; i < mine.size(); i++) {
          MemorySegment t = tensors.get(Integer.toString(i));
          if (t == null || t.byteSize() != mine.get(i).byteSize()) {
            throw new IllegalArgumentException(
                "average "
                    + i
                    + (t == null
                        ? " is missing"
                        : " has "
                            + t.byteSize() / Float.BYTES
                            + " floats, the parameter "
                            + mine.get(i).byteSize() / Float.BYTES));
          }
          values.add(t);
        }
        return () -> average.restore(updates, lastFold, values);
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
