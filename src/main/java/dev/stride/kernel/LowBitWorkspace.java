package dev.stride.kernel;

/**
 * A thread's scratch for the low-precision kernels, which are shared by every thread that steps:
 * the new values of the block being quantized (its scale needs all of them before any code), the
 * old ones the vector kernel decodes first, and the indices a vector gather reads, which the Vector
 * API takes from an {@code int[]}. Grown when a larger block comes; a steady step allocates
 * nothing.
 */
final class LowBitWorkspace {
  private static final ThreadLocal<LowBitWorkspace> OF_THREAD =
      ThreadLocal.withInitial(LowBitWorkspace::new);

  /** The moments a block step computed: exp_avg, exp_avg_sq and max_exp_avg_sq. */
  float[] m = new float[0];

  float[] v = new float[0];
  float[] vmax = new float[0];

  /** The block's stored moments before the step, as float32 (the vector kernel's first stage). */
  float[] oldM = new float[0];

  float[] oldV = new float[0];
  float[] oldVmax = new float[0];

  /** Gather indices: as many as a vector has lanes. */
  final int[] index = new int[64];

  /** Per element of the block being encoded: its table index (and sign), and its entry's index. */
  int[] keys = new int[0];

  int[] entries = new int[0];

  private LowBitWorkspace() {}

  /** The calling thread's workspace, holding at least {@code block} elements per moment. */
  static LowBitWorkspace get(int block) {
    LowBitWorkspace w = OF_THREAD.get();
    if (w.m.length < block) {
      w.m = new float[block];
      w.v = new float[block];
      w.vmax = new float[block];
      w.oldM = new float[block];
      w.oldV = new float[block];
      w.oldVmax = new float[block];
      w.keys = new int[block];
      w.entries = new int[block];
    }
    return w;
  }
}
