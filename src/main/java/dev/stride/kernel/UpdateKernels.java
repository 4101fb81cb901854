package dev.stride.kernel;

/**
 * One implementation of every rule's inner loop: the scalar references or the Vector API kernels,
 * from {@link Kernels}. Each kernel updates {@code count} float32 elements starting at element
 * {@code offset} of every segment it is given; its interface ({@code SgdKernel}, …) states the rule
 * as formulas and holds the rule's per-step coefficients.
 *
 * <p>The {@code *Scalar} classes are the readable references; the {@code *Vector} classes do the
 * same float operations in the same order on the Vector API, so the two agree to the bit. Neither
 * fuses a multiply and an add: FMA rounds once where the reference rounds twice, and it did not
 * make the divider-bound rules faster on this hardware.
 *
 * <p>Segments are native, 4-byte aligned, of native byte order, and hold at least {@code offset +
 * count} floats; the caller ({@code dev.stride.optim}) checks all that once, not per step. Native
 * matters beyond the call: once a Vector API load has seen a heap segment, C2 compiles every kernel
 * in the JVM for both kinds, and Adam's ran 5.5× slower in cache and 1.6× from DRAM ({@code
 * HeapSegmentCost} in BENCHMARKS.md). Per-step scalars come in a coefficients object computed once
 * per step, outside the loop.
 *
 * @param lanes how many elements one iteration of the main loop updates: 1 for the references
 */
public record UpdateKernels(
    String name,
    int lanes,
    ReduceKernel reduce,
    GradientKernel gradient,
    AveragingKernel averaging,
    SgdKernel sgd,
    AdamKernel adam,
    AdagradKernel adagrad,
    RmspropKernel rmsprop,
    AdadeltaKernel adadelta,
    AdamaxKernel adamax,
    NAdamKernel nadam,
    RAdamKernel radam,
    AsgdKernel asgd,
    RpropKernel rprop,
    LambKernel lamb,
    LarsKernel lars,
    ProdigyKernel prodigy,
    LionKernel lion,
    SgdScheduleFreeKernel sgdScheduleFree,
    AdamWScheduleFreeKernel adamWScheduleFree,
    LerpKernel lerp) {

  static UpdateKernels scalar() {
    return new UpdateKernels(
        "scalar",
        1,
        new ReduceScalar(),
        new GradientScalar(),
        new AveragingScalar(),
        new SgdScalar(),
        new AdamScalar(),
        new AdagradScalar(),
        new RmspropScalar(),
        new AdadeltaScalar(),
        new AdamaxScalar(),
        new NAdamScalar(),
        new RAdamScalar(),
        new AsgdScalar(),
        new RpropScalar(),
        new LambScalar(),
        new LarsScalar(),
        new ProdigyScalar(),
        new LionScalar(),
        new SgdScheduleFreeScalar(),
        new AdamWScheduleFreeScalar(),
        new LerpScalar());
  }

  @Override
  public String toString() {
    return name + " kernels";
  }
}
