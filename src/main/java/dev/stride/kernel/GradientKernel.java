package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Gradients rewritten in place, for a caller who wants the clipped gradients themselves (PyTorch's
 * {@code clip_grad_norm_} and {@code clip_grad_value_}); a step clips inside the rule's kernel
 * instead ({@link GradientCoefficients}).
 *
 * <pre>
 *   scale:  g = s·g
 *   clamp:  g = min(max(g, −c), c)
 * </pre>
 */
public interface GradientKernel {

  void scale(MemorySegment grad, float s, long offset, long count);

  void clamp(MemorySegment grad, float c, long offset, long count);
}
