package dev.stride.kernel;

/**
 * Builds the Vector API {@link UpdateKernels}. {@link Kernels} loads this class by name, and only
 * when the incubator module is present: the {@code *Vector} classes it names link {@code
 * jdk.incubator.vector}.
 */
final class VectorKernels {
  private VectorKernels() {}

  static UpdateKernels create() {
    return new UpdateKernels(
        Vectors.F.length() * Float.SIZE + "-bit vector",
        Vectors.F.length(),
        new ReduceVector(),
        new GradientVector(),
        new AveragingVector(),
        new SgdVector(),
        new AdamVector(),
        new AdagradVector(),
        new RmspropVector(),
        new AdadeltaVector(),
        new AdamaxVector(),
        new NAdamVector(),
        new RAdamVector(),
        new AsgdVector(),
        new RpropVector(),
        new LambVector(),
        new LarsVector(),
        new ProdigyVector(),
        new LionVector(),
        new SgdScheduleFreeVector(),
        new AdamWScheduleFreeVector(),
        new LerpVector());
  }
}
