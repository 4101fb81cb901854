package dev.stride.optim;

import dev.stride.testing.NativeFloats;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** Reads an optimizer's package-private bookkeeping: its parameters' state and step counts. */
final class OptimizerProbe {
  private OptimizerProbe() {}

  static Parameter parameter(Optimizer<?> o, int group, int index) {
    return o.group(group).parameters().get(index);
  }

  /** Every state buffer allocated so far, in group, parameter and slot order. */
  static List<MemorySegment> state(Optimizer<?> o) {
    List<MemorySegment> out = new ArrayList<>();
    for (ParamGroup<?> g : o.groups()) {
      for (Parameter p : g.parameters()) {
        for (int k = 0; k < o.rule().stateKeys().size(); k++) {
          if (p.state(k) != MemorySegment.NULL) {
            out.add(p.state(k));
          }
        }
      }
    }
    return out;
  }

  /** Per-parameter step counts, which drive Adam's bias correction. */
  static List<Long> steps(Optimizer<?> o) {
    List<Long> out = new ArrayList<>();
    for (ParamGroup<?> g : o.groups()) {
      for (Parameter p : g.parameters()) {
        out.add(p.step);
      }
    }
    return out;
  }

  /** Values, gradients and state of every parameter whose memory is still alive. */
  static NativeFloats.Snapshot snapshot(Optimizer<?> o) {
    List<MemorySegment> segments = new ArrayList<>();
    for (ParamGroup<?> g : o.groups()) {
      for (Parameter p : g.parameters()) {
        if (p.value.scope().isAlive()) {
          segments.add(p.value);
        }
        if (p.grad.scope().isAlive()) {
          segments.add(p.grad);
        }
      }
    }
    segments.addAll(state(o));
    return NativeFloats.snapshot(segments.toArray(MemorySegment[]::new));
  }
}
