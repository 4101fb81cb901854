/**
 * Every rule's inner loop, three files per rule: {@code XKernel} (the formulas and the per-step
 * coefficients), {@code XScalar} (the reference, one element at a time, as the formulas read) and
 * {@code XVector} (the same operations in the same order on the Vector API, so the two agree to the
 * bit). {@link dev.stride.kernel.KernelSet} finds them by name and picks the set a JVM uses; only
 * the {@code *Vector} classes and {@code Vectors} link {@code jdk.incubator.vector}. {@link
 * dev.stride.kernel.GradientCoefficients} is the gradient prologue every rule shares; {@link
 * dev.stride.kernel.ReduceKernel} the deterministic sums and maxima. Not exported: the optimizers
 * are the API.
 */
package dev.stride.kernel;
