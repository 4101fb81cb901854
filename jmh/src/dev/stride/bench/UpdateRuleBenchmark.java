package dev.stride.bench;

import dev.stride.kernel.Kernels;
import dev.stride.kernel.UpdateKernels;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One step of an update rule over {@code size} floats, three ways: the Vector API kernel, the
 * scalar reference, and the {@code float[]} loop a trainer would write. The step's coefficients
 * are computed on every call, as the optimizer computes them on every step.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class UpdateRuleBenchmark {

  /**
   * PyTorch's defaults where it has them (momentum 0.9 for SGD is the usual choice), the
   * references' for the rules outside torch.optim.
   */
  public enum Rule {
    SGD("SGD", 12),
    SGD_MOMENTUM("SGD momentum", 20),
    ADAM("Adam", 28),
    ADAMW("AdamW", 28),
    ADAGRAD("Adagrad", 20),
    RMSPROP("RMSprop", 20),
    ADADELTA("Adadelta", 28),
    ADAMAX("Adamax", 28),
    LION("Lion", 20),
    SGD_SCHEDULE_FREE("SGD schedule-free", 20),
    ADAMW_SCHEDULE_FREE("AdamW schedule-free", 28);

    static final float SGD_LR = 0.01f;
    static final float MOMENTUM = 0.9f;
    static final float ADAM_LR = 1e-3f;
    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPS = 1e-8f;
    static final float ADAMW_WEIGHT_DECAY = 1e-2f;
    static final float ADAGRAD_LR = 1e-2f;
    static final float ADAGRAD_EPS = 1e-10f;
    static final float RMSPROP_LR = 1e-2f;
    static final float RMSPROP_ALPHA = 0.99f;
    static final float ADADELTA_LR = 1f;
    static final float ADADELTA_RHO = 0.9f;
    static final float ADADELTA_EPS = 1e-6f;
    static final float ADAMAX_LR = 2e-3f;
    /** lucidrains' defaults, with a weight decay so that the decay is timed too. */
    static final float LION_LR = 1e-4f;
    static final float LION_BETA2 = 0.99f;
    static final float LION_WEIGHT_DECAY = 1e-2f;
    /** The schedule_free reference's defaults (no weight decay, no warmup). */
    static final float SGD_SCHEDULE_FREE_LR = 1f;
    static final float ADAMW_SCHEDULE_FREE_LR = 0.0025f;

    final String label;
    /** Bytes read and written per element: 4 for each array read plus 4 for each written. */
    final int bytesPerElement;

    Rule(String label, int bytesPerElement) {
      this.label = label;
      this.bytesPerElement = bytesPerElement;
    }
  }

  // Constants, so that each fork's call site sees one implementation.
  static final UpdateKernels VECTOR = Kernels.vector();
  private static final UpdateKernels SCALAR = Kernels.scalar();

  @Param
  public Rule rule;

  private RuleStep step;

  @Setup(Level.Trial)
  public void setUp() {
    step = new RuleStep(rule);
  }

  @Benchmark
  public void vector(SegmentBuffers s) {
    step.kernel(VECTOR, s);
  }

  @Benchmark
  public void scalar(SegmentBuffers s) {
    step.kernel(SCALAR, s);
  }

  @Benchmark
  public void floatArray(ArrayBuffers a) {
    step.floatArray(a);
  }
}
