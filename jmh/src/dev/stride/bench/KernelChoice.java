package dev.stride.bench;

import dev.stride.kernel.Kernels;
import dev.stride.kernel.UpdateKernels;

/**
 * Which kernels a benchmark's optimizer steps with: the one place the benchmarks name {@code
 * dev.stride.kernel}. The Vector API kernels are what a JVM with {@code --add-modules
 * jdk.incubator.vector} gets by default; the scalar reference is timed beside them in cache.
 */
enum KernelChoice {
  VECTOR(Kernels.vector()),
  SCALAR(Kernels.scalar());

  private final UpdateKernels kernels;

  KernelChoice(UpdateKernels kernels) {
    this.kernels = kernels;
  }

  /** The kernels, for an optimizer's constructor. */
  UpdateKernels kernels() {
    return kernels;
  }
}
