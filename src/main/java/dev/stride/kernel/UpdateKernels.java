package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * The update rules' inner loops, each over {@code count} float32 elements starting at element
 * {@code offset} of every segment it is given.
 *
 * <p>Two implementations: {@link ScalarUpdateKernels}, the readable reference, and
 * {@code VectorUpdateKernels}, the same float operations in the same order on the Vector API, so
 * the two agree to the bit. Neither fuses a multiply and an add: FMA rounds once where the
 * reference rounds twice, and it did not make the divider-bound rules faster on this hardware.
 *
 * <p>Segments are native, 4-byte aligned, of native byte order, and hold at least
 * {@code offset + count} floats; the caller ({@code dev.stride.optim}) checks all that once, not per
 * step. Per-step scalars come in a coefficients object computed once per step, outside the loop.
 * Obtain an instance from {@link Kernels}.
 */
public interface UpdateKernels {

  /** How many elements one iteration of the main loop updates: 1 for the scalar reference. */
  int lanes();

  /**
   * One SGD step, PyTorch's algorithm. With {@code d = maximize ? -g : g}:
   *
   * <pre>
   *   d   = d + λ·p                       if λ ≠ 0 (weight decay)
   *   b   = d                             on the first step, if μ ≠ 0
   *   b   = μ·b + (1 − τ)·d               on later steps, if μ ≠ 0 (τ: dampening)
   *   d   = nesterov ? d + μ·b : b        if μ ≠ 0
   *   p   = p − η·d
   * </pre>
   *
   * @param momentumBuffer {@code b}; not read or written when μ = 0
   */
  void sgd(SgdCoefficients c, MemorySegment param, MemorySegment grad, MemorySegment momentumBuffer,
      long offset, long count);

  /**
   * One Adam or AdamW step, PyTorch's algorithm. With {@code g = maximize ? -g : g} and step t:
   *
   * <pre>
   *   p   = (1 − η·λ)·p                   AdamW (decoupled weight decay), if λ ≠ 0
   *   g   = g + λ·p                       Adam (L2 penalty), if λ ≠ 0
   *   m   = β1·m + (1 − β1)·g
   *   v   = β2·v + (1 − β2)·g·g
   *   v̂   = amsgrad ? (vmax = max(vmax, v)) : v
   *   p   = p − (η / (1 − β1^t))·m / (√v̂ · (1 / √(1 − β2^t)) + ε)
   * </pre>
   *
   * Multiplying by the per-step reciprocal of {@code √(1 − β2^t)} where PyTorch divides by it
   * leaves one division per element, which is what bounds this rule in cache; it moves results
   * by about an ulp, far inside PyTorch's tolerance.
   *
   * @param maxExpAvgSq {@code vmax}; not read or written unless amsgrad
   */
  void adam(AdamCoefficients c, MemorySegment param, MemorySegment grad, MemorySegment expAvg,
      MemorySegment expAvgSq, MemorySegment maxExpAvgSq, long offset, long count);
}
