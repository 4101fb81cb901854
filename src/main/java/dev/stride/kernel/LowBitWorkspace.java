package dev.stride.kernel;

import dev.stride.kernel.AdamLowBitKernel.Coefficients;
import dev.stride.kernel.AdamLowBitKernel.ParameterStorage;
import java.lang.foreign.MemorySegment;

/**
 * A thread's scratch for the low-precision kernels, which are shared by every thread that steps:
 * the new values of the block being quantized (its scale needs all of them before any code), the
 * old ones the vector kernel decodes first, the indices a vector gather reads (the Vector API takes
 * them from an {@code int[]}), and the arguments of the call being run, which the vector kernel's
 * stages read. Grown when a larger block comes; a steady step allocates nothing.
 */
final class LowBitWorkspace {
  private static final ThreadLocal<LowBitWorkspace> OF_THREAD =
      ThreadLocal.withInitial(LowBitWorkspace::new);

  /** The moments a block step computed: exp_avg, exp_avg_sq and max_exp_avg_sq. */
  float[] m = new float[0];

  float[] v = new float[0];
  float[] vmax = new float[0];

  /** {@link #m}, {@link #v}, {@link #vmax}, by buffer. */
  float[][] fresh = {m, v, vmax};

  /** The block's stored moments before the step, as float32 (the vector kernel's first stage). */
  float[][] old = {new float[0], new float[0], new float[0]};

  /** Gather indices: as many as a vector has lanes. */
  final int[] index = new int[64];

  /** Per element of the block being encoded: its table index (and sign), and its entry's index. */
  int[] keys = new int[0];

  int[] entries = new int[0];

  // The call being run: what the vector kernel's stages read.
  Coefficients c;
  ParameterStorage storage;
  MemorySegment value;
  MemorySegment master;
  long noiseKey;
  MemorySegment grad;

  /** exp_avg, exp_avg_sq and, with amsgrad, max_exp_avg_sq: the first {@link #buffers}. */
  final StateBuffer[] moments = new StateBuffer[3];

  int buffers;

  /** The block being stepped: its first element and its length. */
  long start;

  int n;

  private LowBitWorkspace() {}

  /** The calling thread's workspace, holding at least {@code block} elements per moment. */
  static LowBitWorkspace get(int block) {
    LowBitWorkspace w = OF_THREAD.get();
    if (w.m.length < block) {
      w.m = new float[block];
      w.v = new float[block];
      w.vmax = new float[block];
      w.fresh = new float[][] {w.m, w.v, w.vmax};
      w.old = new float[][] {new float[block], new float[block], new float[block]};
      w.keys = new int[block];
      w.entries = new int[block];
    }
    return w;
  }

  /** Holds a call's arguments for its stages; {@code maxExpAvgSq} null without amsgrad. */
  void set(
      Coefficients c,
      ParameterStorage storage,
      MemorySegment value,
      MemorySegment master,
      long noiseKey,
      MemorySegment grad,
      StateBuffer expAvg,
      StateBuffer expAvgSq,
      StateBuffer maxExpAvgSq) {
    this.c = c;
    this.storage = storage;
    this.value = value;
    this.master = master;
    this.noiseKey = noiseKey;
    this.grad = grad;
    moments[0] = expAvg;
    moments[1] = expAvgSq;
    moments[2] = maxExpAvgSq;
    buffers = maxExpAvgSq == null ? 2 : 3;
  }
}
