package dev.stride.examples;

import java.lang.foreign.MemorySegment;

/**
 * One stage of a network, applied to a batch of rows at once. Inputs, outputs and gradients are
 * row-major float matrices off-heap; a layer owns its output and input-gradient buffers, sized for
 * the largest batch it was made for, and keeps what its backward pass needs from the forward one.
 */
interface Layer {
  /** The output for the first {@code rows} rows of {@code input}, in a buffer this layer owns. */
  MemorySegment forward(MemorySegment input, int rows);

  /**
   * Given ∂loss/∂output for the rows of the last forward pass, adds ∂loss/∂parameters to the
   * parameters' gradients and returns ∂loss/∂input, in a buffer this layer owns.
   */
  MemorySegment backward(MemorySegment outputGrad, int rows);
}
