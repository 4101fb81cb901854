package dev.stride.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.stride.optim.Clipping;
import dev.stride.optim.Optimizer;
import dev.stride.optim.ParamGroup;
import dev.stride.optim.PyTorchOptimizers;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntFunction;

/**
 * A Stride optimizer in DJL's place: {@code new DefaultTrainingConfig(loss).optOptimizer(
 * StrideOptimizer.of("AdamW", Map.of("lr", 1e-3)))}, and DJL's {@code EasyTrain.fit}, {@code
 * trainBatch} and {@code trainer.step()} drive it as they drive DJL's own optimizers. Every Stride
 * rule ({@link PyTorchOptimizers#create}'s names and keyword arguments) and everything set on
 * {@link #optimizer()} applies: groups, clipping, the non-finite guard, threads, a {@code
 * ScheduleBinding}, a {@code LossScaler} ({@link #stepWith}), a {@code Checkpoint} or {@code
 * WeightAverage} of it.
 *
 * <p><b>Zero copy.</b> The weights and gradients are not copied: Stride reads and writes DJL's
 * tensors through views of their memory ({@code NDArray.toByteBuffer(true)}, which on the PyTorch
 * engine is the tensor's own memory). This holds on DJL's PyTorch engine, on the CPU, for dense
 * contiguous float32 weights: anything else is refused at the parameter's first update, with a
 * message that names the parameter and the fix (another engine, a device other than the CPU,
 * another data type, a weight that is not contiguous or whose buffer is not its memory).
 *
 * <p><b>One step per trainer step.</b> DJL's trainer calls {@link #update} once per parameter. A
 * parameter is registered the first time its id is seen: its weight's view, its shape, and the
 * group {@link #route} chooses. DJL hands over each step's gradient as a new tensor (its parameter
 * server copies it), so each update takes a view of that gradient ({@link ParamGroup#setGrad}: no
 * copy, a few comparisons) and holds the tensor until the next one replaces it. Once every
 * registered parameter has its gradient for the trainer step, in whichever order DJL calls them,
 * one Stride step updates them all, in one parallel region, and the weights' own gradients are set
 * to zero, as DJL's optimizers on this engine do. The first trainer step counts the parameters:
 * when they are registered ahead with {@link #register(Block)} (needed to load a checkpoint before
 * training resumes), or when the trainable arrays of the first weight's {@code NDManager} are the
 * ones DJL updates (the usual case: a model's block initialized by its trainer), the first trainer
 * step is one Stride step too. Otherwise the first trainer step ends when an id comes again, and
 * its update is made then, before the second's: logged as a warning. A trainer step that misses a
 * registered parameter (frozen or dropped during training), and a parameter first seen after the
 * first trainer step, are refused: Stride steps every registered parameter at once.
 *
 * <p><b>Moved memory.</b> If a weight's memory moves (re-initialized, reloaded by {@code
 * NDArray.set(Buffer)}, sent to another device), its update is refused with a message: Stride's
 * state belongs to the memory it was registered with, and a stale view is never used. The adapter
 * holds the weights' and the last gradients' memory until {@link #close()}, so that the views stay
 * valid for {@link #optimizer()} between trainer steps.
 *
 * <p><b>DJL's builder options</b> ({@link #builder}): {@code optClipGrad(c)} with {@code c ≥ 0} is
 * clipping by value, {@code Clipping.byValue(c)} (to {@code [−c, c]}, as DJL documents it; DJL's
 * own PyTorch kernels clamp only the upper side); {@code setRescaleGrad}, {@code optWeightDecays}
 * and {@code optBeginNumUpdate} other than their defaults are refused when the optimizer is built:
 * scale the loss instead, give {@code weight_decay} in the keyword arguments with PyTorch's meaning
 * for the rule, resume from a checkpoint.
 *
 * <p>Update from one thread at a time, as DJL's trainer does. Close it to free Stride's state and
 * the tensors it holds; DJL does not close optimizers.
 */
public final class StrideOptimizer extends ai.djl.training.optimizer.Optimizer
    implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(StrideOptimizer.class.getName());

  /**
   * The DJL engine it works on, by the name DJL gives it: the one whose direct buffers are its
   * tensors' memory and whose detached arrays share that memory.
   */
  public static final String ENGINE = "PyTorch";

  private final Optimizer<?> optimizer;
  private ToIntFunction<DjlParameter> router = p -> 0;
  private BooleanSupplier step;

  private final Map<String, Entry> entries = new HashMap<>();
  private final List<Entry> registered = new ArrayList<>();
  private Entry[] pending = new Entry[16];
  private int pendingCount;

  /** While the first trainer step is being counted. */
  private boolean counting = true;

  /**
   * The arrays the first trainer step is expected to update, while counting it: the trainable
   * arrays of the first weight's manager; null when unknown, or when an update proved it wrong.
   */
  private Set<NDArray> expected;

  private int expectedSeen;
  private long trainerSteps;
  private boolean closed;

  /** One registered DJL parameter. */
  private static final class Entry {
    final DjlParameter parameter;
    final int group;
    final int index;
    final long address;
    final long bytes;

    /** Holds the weight's memory (a detached array shares it) while Stride has a view of it. */
    final NDArray weightMemory;

    NDArray weight;

    /** Holds the memory of the gradient Stride's view is of, until the next replaces it. */
    NDArray gradMemory;

    boolean pending;

    Entry(DjlParameter parameter, int group, int index, NDArray weight, long address, long bytes) {
      this.parameter = parameter;
      this.group = group;
      this.index = index;
      this.weight = weight;
      this.weightMemory = weight.stopGradient();
      this.address = address;
      this.bytes = bytes;
    }
  }

  private StrideOptimizer(Builder builder, Optimizer<?> optimizer) {
    super(builder);
    this.optimizer = optimizer;
    this.step = optimizer::step;
  }

  /**
   * The Stride rule {@code torchName} with PyTorch's keyword arguments, as {@link
   * PyTorchOptimizers#create} makes it: {@code of("AdamW", Map.of("lr", 1e-3, "weight_decay",
   * 0.01))}.
   *
   * @throws IllegalArgumentException if Stride has no rule of that name, or an argument is unknown
   *     to it or refused
   */
  public static StrideOptimizer of(String torchName, Map<String, ?> kwargs) {
    return builder(torchName, kwargs).build();
  }

  /** A builder, for DJL's builder options: see the class comment for what each does. */
  public static Builder builder(String torchName, Map<String, ?> kwargs) {
    return new Builder(torchName, kwargs);
  }

  /**
   * The Stride optimizer behind this one, to set groups, clipping, the guard, threads, schedules,
   * checkpoints and weight averages on. Its parameters are DJL's, registered in the order of their
   * first update (or of {@link #register(Block)}).
   */
  public Optimizer<?> optimizer() {
    return optimizer;
  }

  /**
   * Chooses each parameter's group in {@link #optimizer()} when it is registered, by its id, name
   * or shape: {@code route(p -> p.name().equals("weight") ? 0 : 1)} keeps weight decay off biases
   * and normalization weights when group 1 has none. Group 0 for all by default.
   *
   * @throws IllegalStateException once a parameter is registered
   */
  public StrideOptimizer route(ToIntFunction<DjlParameter> groupOf) {
    Objects.requireNonNull(groupOf, "groupOf");
    checkOpen();
    if (!registered.isEmpty()) {
      throw new IllegalStateException(
          registered.size() + " parameters are registered already: route before the first");
    }
    this.router = groupOf;
    return this;
  }

  /**
   * What a trainer step runs once every gradient is in: {@code optimizer()::step} by default; a
   * {@code ScheduleBinding}'s {@code binding::step}, a {@code LossScaler}'s {@code scaler::step},
   * or both ({@code () -> binding.step(scaler::step)}). It returns false when the step was skipped
   * (a non-finite gradient under the guard).
   */
  public StrideOptimizer stepWith(BooleanSupplier step) {
    this.step = Objects.requireNonNull(step, "step");
    return this;
  }

  /**
   * Registers {@code block}'s trainable parameters now, in the block's order: every trainer step,
   * the first included, is then one Stride step, and a {@code Checkpoint} of {@link #optimizer()}
   * can be loaded before training resumes. Their gradients are zeros until the first update. Call
   * it once the block is initialized ({@code trainer.initialize(...)}), before the first update.
   *
   * @throws IllegalStateException if parameters are registered already, or one is not initialized
   * @throws IllegalArgumentException as {@link #update} refuses a parameter, checked for them all
   *     before any is registered; or if two share memory (tied weights), which Stride refuses when
   *     the second comes
   */
  public StrideOptimizer register(Block block) {
    checkOpen();
    if (!registered.isEmpty()) {
      throw new IllegalStateException(
          registered.size() + " parameters are registered already: register(block) before");
    }
    List<Pair<Parameter, MemorySegment>> views = new ArrayList<>();
    for (Pair<String, Parameter> pair : block.getParameters()) {
      Parameter p = pair.getValue();
      if (!p.requiresGradient()) {
        continue;
      }
      if (!p.isInitialized()) {
        throw new IllegalStateException(
            "parameter "
                + p.getId()
                + " ("
                + pair.getKey()
                + ") is not initialized: register the block after trainer.initialize(...)");
      }
      views.add(new Pair<>(p, weightView(p.getId(), p.getArray())));
      group(p.getId(), p.getArray());
    }
    for (Pair<Parameter, MemorySegment> v : views) {
      NDArray weight = v.getKey().getArray();
      NDArray zeros = weight.zerosLike();
      register(
          v.getKey().getId(),
          weight,
          v.getValue(),
          MemorySegment.ofBuffer(zeros.toByteBuffer(true)),
          zeros);
    }
    counting = false;
    return this;
  }

  /**
   * Takes {@code grad} as the gradient of parameter {@code parameterId} for this trainer step, and
   * steps every registered parameter once each has its gradient; see the class comment.
   *
   * <p>The gradient's memory must outlive the update: the adapter holds it until the next trainer
   * step's gradient replaces it, through a detached array that shares it, which keeps a tensor the
   * engine allocated alive (the gradients DJL's trainer passes are such copies). An array made from
   * a Java buffer ({@code NDManager.create(float[])}) lives in that buffer, which closing the array
   * lets go: keep such a gradient open until the optimizer is closed.
   *
   * @throws IllegalArgumentException if the parameter or its gradient is refused (see the class
   *     comment); nothing is changed then
   * @throws IllegalStateException if this optimizer is closed, a trainer step missed a registered
   *     parameter, or the parameter was first seen after the first trainer step
   */
  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    checkOpen();
    Entry e = entries.get(parameterId);
    MemorySegment weightView = null;
    if (e == null) {
      if (!counting) {
        throw new IllegalStateException(
            describe(parameterId, weight)
                + " was not updated in the first trainer step, which counted "
                + registered.size()
                + " parameters: Stride steps every registered parameter at once; train a changed"
                + " model with a new StrideOptimizer");
      }
      weightView = weightView(parameterId, weight);
    } else {
      checkWeight(e, parameterId, weight);
    }
    MemorySegment gradView = gradView(parameterId, weight, grad);
    if (e == null) {
      e = register(parameterId, weight, weightView, gradView, grad.stopGradient());
      if (expected == null && registered.size() == 1) {
        expected = trainableArrays(weight.getManager());
      }
    } else {
      if (e.pending) {
        endTrainerStep(e);
      }
      optimizer.group(e.group).setGrad(e.index, gradView);
      NDArray previous = e.gradMemory;
      e.gradMemory = grad.stopGradient();
      previous.close();
    }
    e.pending = true;
    if (pendingCount == pending.length) {
      pending = java.util.Arrays.copyOf(pending, 2 * pendingCount);
    }
    pending[pendingCount++] = e;
    if (counting) {
      countFirstStep(e);
    } else if (pendingCount == registered.size()) {
      finishTrainerStep();
    }
  }

  /** In the first trainer step: ends it once every expected array has come. */
  private void countFirstStep(Entry e) {
    if (expected == null) {
      return;
    }
    if (!expected.contains(e.weight)) {
      expected = null; // not the usual case: wait for an id to come again
      return;
    }
    if (++expectedSeen == expected.size()) {
      finishTrainerStep();
    }
  }

  /** {@code e} came again before the trainer step had every parameter. */
  private void endTrainerStep(Entry e) {
    if (counting) {
      LOG.log(
          System.Logger.Level.WARNING,
          "StrideOptimizer: the first trainer step's "
              + registered.size()
              + " parameters could not be counted before it ended; its update was made at the"
              + " second's first update. StrideOptimizer.register(block) before training avoids"
              + " this.");
      finishTrainerStep();
      return;
    }
    List<String> missing = new ArrayList<>();
    for (Entry r : registered) {
      if (!r.pending) {
        missing.add(r.parameter.id() + " (" + r.parameter.name() + ")");
      }
    }
    for (int i = 0; i < pendingCount; i++) {
      pending[i].pending = false;
    }
    pendingCount = 0;
    throw new IllegalStateException(
        "the last trainer step updated "
            + (registered.size() - missing.size())
            + " of the "
            + registered.size()
            + " registered parameters, not "
            + missing
            + ", and "
            + describe(e.parameter.id(), e.weight)
            + " came again: Stride steps every registered parameter at once, so that step changed"
            + " nothing; train a model whose parameters change (frozen, dropped) with a new"
            + " StrideOptimizer");
  }

  /** Steps every registered parameter, and zeroes their weights' own gradients for the next. */
  private void finishTrainerStep() {
    try {
      step.getAsBoolean();
    } finally {
      counting = false;
      expected = null;
      for (int i = 0; i < pendingCount; i++) {
        Entry e = pending[i];
        e.pending = false;
        pending[i] = null;
        if (e.weight.hasGradient()) {
          try (NDArray own = e.weight.getGradient()) {
            MemorySegment.ofBuffer(own.toByteBuffer(true)).fill((byte) 0);
          }
        }
      }
      pendingCount = 0;
      trainerSteps++;
    }
  }

  private Entry register(
      String id,
      NDArray weight,
      MemorySegment weightView,
      MemorySegment gradView,
      NDArray gradMemory) {
    int g;
    try {
      g = group(id, weight);
    } catch (IllegalArgumentException refused) {
      gradMemory.close();
      throw refused;
    }
    DjlParameter parameter = new DjlParameter(id, weight.getName(), weight.getShape());
    ParamGroup<?> group = optimizer.group(g);
    try {
      group.add(weightView, gradView, weight.getShape().getShape());
    } catch (IllegalArgumentException refused) {
      gradMemory.close();
      throw new IllegalArgumentException(describe(id, weight) + ": " + refused.getMessage());
    }
    Entry e =
        new Entry(
            parameter, g, group.size() - 1, weight, weightView.address(), weightView.byteSize());
    e.gradMemory = gradMemory;
    entries.put(id, e);
    registered.add(e);
    return e;
  }

  /** The group {@link #route} puts the parameter in; refuses one the optimizer does not have. */
  private int group(String id, NDArray weight) {
    int g = router.applyAsInt(new DjlParameter(id, weight.getName(), weight.getShape()));
    int groups = optimizer.groups().size();
    if (g < 0 || g >= groups) {
      throw new IllegalArgumentException(
          "route put "
              + describe(id, weight)
              + " in group "
              + g
              + ", but optimizer() has "
              + groups
              + (groups == 1 ? " group" : " groups"));
    }
    return g;
  }

  /** The trainable arrays of {@code manager} itself: a model's parameters, in the usual case. */
  private static Set<NDArray> trainableArrays(NDManager manager) {
    Set<NDArray> arrays = Collections.newSetFromMap(new IdentityHashMap<>());
    for (NDArray a : manager.getManagedArrays()) {
      if (a.getManager() == manager && !a.isReleased() && a.hasGradient()) {
        arrays.add(a);
      }
    }
    return arrays;
  }

  /** A writable view of a weight's own memory; refuses, naming it, what has none. */
  private static MemorySegment weightView(String id, NDArray weight) {
    checkArray(id, weight, weight, "weight");
    ByteBuffer buffer = weight.toByteBuffer(true);
    if (!buffer.isDirect() || buffer.isReadOnly()) {
      throw refused(
          id,
          weight,
          "DJL gives no writable direct buffer of its memory",
          "use DJL's PyTorch engine");
    }
    MemorySegment view = MemorySegment.ofBuffer(buffer);
    // DJL copies a tensor that is not contiguous into a new one for each buffer it is asked for
    if (address(weight) != view.address()) {
      throw refused(
          id,
          weight,
          "it is not contiguous, so DJL's buffer of it is a copy",
          "make it contiguous before training, for example with weight.duplicate()");
    }
    return view;
  }

  /** The view of this step's gradient; refuses one that does not fit the weight. */
  private static MemorySegment gradView(String id, NDArray weight, NDArray grad) {
    checkArray(id, weight, grad, "gradient");
    ByteBuffer buffer = grad.toByteBuffer(true);
    if (!buffer.isDirect() || (long) buffer.capacity() != weight.size() * Float.BYTES) {
      throw refused(
          id,
          weight,
          "its gradient "
              + grad.getShape()
              + " is not a direct buffer of "
              + weight.size()
              + " floats",
          "pass a gradient of the weight's shape");
    }
    return MemorySegment.ofBuffer(buffer);
  }

  private static void checkArray(String id, NDArray weight, NDArray array, String what) {
    if (array.isReleased()) {
      throw refused(id, weight, "its " + what + " is closed", "update with open arrays");
    }
    String engine = array.getManager().getEngine().getEngineName();
    if (!ENGINE.equals(engine)) {
      throw refused(
          id,
          weight,
          "its "
              + what
              + " is an array of DJL's "
              + engine
              + " engine, whose buffers Stride cannot take as its memory",
          "use DJL's PyTorch engine (ai.djl.pytorch:pytorch-engine)");
    }
    Device device = array.getDevice();
    if (!Device.Type.CPU.equals(device.getDeviceType())) {
      throw refused(
          id,
          weight,
          "its " + what + " is on " + device,
          "train on the CPU: Stride updates CPU memory");
    }
    if (array.getDataType() != DataType.FLOAT32) {
      throw refused(
          id,
          weight,
          "its " + what + " is " + array.getDataType(),
          "train in float32 (model.setDataType(DataType.FLOAT32))");
    }
    if (array.isSparse()) {
      throw refused(id, weight, "its " + what + " is sparse", "use dense arrays");
    }
  }

  /** Refuses, naming it, a known parameter whose weight is closed or whose memory moved. */
  private void checkWeight(Entry e, String id, NDArray weight) {
    if (weight.isReleased()) {
      throw refused(id, weight, "its weight is closed", "update with open arrays");
    }
    if (weight != e.weight) {
      checkArray(id, weight, weight, "weight");
    }
    long now = address(weight);
    if (now != e.address || weight.size() * Float.BYTES != e.bytes) {
      throw refused(
          id,
          weight,
          "its weight moved from 0x"
              + Long.toHexString(e.address)
              + " to 0x"
              + Long.toHexString(now)
              + " (re-initialized, set from a buffer, reloaded, made non-contiguous or sent to"
              + " another device), and Stride's state belongs to the memory it was registered"
              + " with",
          "write new values into the weight in place (weight.set(new NDIndex(), values), or"
              + " through optimizer()), or train on with a new StrideOptimizer");
    }
    e.weight = weight;
  }

  /** The address of the memory DJL's buffer of {@code array} covers; allocates nothing. */
  private static long address(NDArray array) {
    return MemorySegment.ofBuffer(array.toByteBuffer(true)).address();
  }

  private static IllegalArgumentException refused(
      String id, NDArray weight, String problem, String fix) {
    return new IllegalArgumentException(
        describe(id, weight) + " is refused: " + problem + "; " + fix + ". Nothing was changed.");
  }

  private static String describe(String id, NDArray weight) {
    String shape = weight.isReleased() ? "closed" : "shape " + weight.getShape();
    return "parameter " + id + " (" + weight.getName() + ", " + shape + ")";
  }

  /** The parameters in the order they were registered, each group's in its own order. */
  public List<DjlParameter> parameters() {
    List<DjlParameter> all = new ArrayList<>(registered.size());
    for (Entry e : registered) {
      all.add(e.parameter);
    }
    return all;
  }

  /** The group of {@link #optimizer()} that parameter {@code parameterId} is in, or -1. */
  public int groupOf(String parameterId) {
    Entry e = entries.get(parameterId);
    return e == null ? -1 : e.group;
  }

  /** How many trainer steps have updated the parameters (skipped steps included). */
  public long trainerSteps() {
    return trainerSteps;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this StrideOptimizer is closed");
    }
  }

  /** Frees Stride's state and the weights' and gradients' memory it holds. Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      optimizer.close();
      for (Entry e : registered) {
        e.gradMemory.close();
        e.weightMemory.close();
      }
    }
  }

  /**
   * Builds a {@link StrideOptimizer} with DJL's builder options; see the class comment for what
   * each does.
   */
  public static final class Builder extends OptimizerBuilder<Builder> {
    private final String torchName;
    private final Map<String, ?> kwargs;
    private float rescaleGrad = 1;
    private float clipGrad = -1;
    private float weightDecays;
    private int beginNumUpdate;

    private Builder(String torchName, Map<String, ?> kwargs) {
      this.torchName = Objects.requireNonNull(torchName, "torchName");
      this.kwargs = Objects.requireNonNull(kwargs, "kwargs");
    }

    @Override
    public Builder setRescaleGrad(float rescaleGrad) {
      this.rescaleGrad = rescaleGrad;
      return super.setRescaleGrad(rescaleGrad);
    }

    @Override
    public Builder optClipGrad(float clipGrad) {
      this.clipGrad = clipGrad;
      return super.optClipGrad(clipGrad);
    }

    @Override
    public Builder optWeightDecays(float weightDecays) {
      this.weightDecays = weightDecays;
      return super.optWeightDecays(weightDecays);
    }

    @Override
    public Builder optBeginNumUpdate(int beginNumUpdate) {
      this.beginNumUpdate = beginNumUpdate;
      return super.optBeginNumUpdate(beginNumUpdate);
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * @throws IllegalArgumentException if the rule or an argument is refused, or a DJL option
     *     Stride does not honour is set
     */
    public StrideOptimizer build() {
      if (rescaleGrad != 1) {
        throw new IllegalArgumentException(
            "setRescaleGrad("
                + rescaleGrad
                + ") is refused: Stride keeps no fixed gradient scale; multiply the loss by it"
                + " instead (the gradients scale with it)");
      }
      if (weightDecays != 0) {
        throw new IllegalArgumentException(
            "optWeightDecays("
                + weightDecays
                + ") is refused: give \"weight_decay\" in the keyword arguments, with PyTorch's"
                + " meaning for "
                + torchName
                + " (L2 for Adam, decoupled for AdamW), or per group on optimizer()");
      }
      if (beginNumUpdate != 0) {
        throw new IllegalArgumentException(
            "optBeginNumUpdate("
                + beginNumUpdate
                + ") is refused: Stride's step counts start at 0, or where a Checkpoint of"
                + " optimizer() left them");
      }
      Optimizer<?> optimizer = PyTorchOptimizers.create(torchName, kwargs);
      if (clipGrad >= 0) {
        try {
          optimizer.setClipping(Clipping.byValue(clipGrad));
        } catch (IllegalArgumentException e) {
          optimizer.close();
          throw e;
        }
      }
      return new StrideOptimizer(this, optimizer);
    }
  }
}
