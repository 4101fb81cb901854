package dev.stride.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Sums and maxima over {@code count} floats from element {@code offset}, the same to the bit
 * whatever the vector width: every sum is taken in double over 16 partial sums, element {@code
 * offset + i} going to partial {@code i mod 16}, each partial in element order, and the partials
 * then added in order 0 to 15. Products and squares of floats are exact in double, so a sum of
 * squares cannot overflow and is finite exactly when every element is.
 *
 * @see dev.stride.optim.Optimizer
 */
public interface ReduceKernel {
  /** How many partial sums each sum keeps: the length of the {@code partials} workspace. */
  int PARTIALS = 16;

  /**
   * Σ a[i]·b[i], each product in double.
   *
   * @param partials {@value #PARTIALS} doubles of workspace, so that the kernel allocates nothing
   */
  double dot(MemorySegment a, MemorySegment b, long offset, long count, double[] partials);

  /** Σ x[i]², each square in double: the bits of {@code dot(x, x, …)}. */
  double sumOfSquares(MemorySegment x, long offset, long count, double[] partials);

  /** Σ |x[i]|, in double. */
  double sumOfAbs(MemorySegment x, long offset, long count, double[] partials);

  /**
   * Σ |x[i]|^q with {@code Math.pow} in double, for q other than 1 and 2. The vector form has no
   * power that rounds as {@code Math.pow} does, so both forms run this one element at a time.
   */
  double sumOfAbsPow(MemorySegment x, long offset, long count, double q, double[] partials);

  /** max |x[i]|: NaN if an element is NaN, 0 if {@code count} is 0. */
  float maxAbs(MemorySegment x, long offset, long count);
}
