package dev.stride.optim;

/**
 * How a step stores the float32 update of a bfloat16 parameter ({@link ParamGroup#addBf16}): the
 * rule computes in float32 from the bfloat16 value (or from a master copy), then rounds. Set per
 * group with {@link ParamGroup#setBf16Rounding} before the group's first step.
 */
public enum Bf16Rounding {
  /** Round to nearest even, as torch's cast does: torchao's {@code _AdamW} by default. */
  NEAREST,

  /**
   * Round stochastically, as torchao's {@code bf16_stochastic_round}: away from zero with the
   * probability of the 16 bits dropped over 2<sup>16</sup>, so the rounding is unbiased and small
   * updates survive in expectation. The random bits are counter-based, keyed by the parameter's
   * index in the optimizer and its step: the same for any thread count, and a checkpoint resumes
   * them to the bit.
   */
  STOCHASTIC,

  /**
   * Keep a float32 master copy in the state (4 more bytes per element), update it, and store it
   * rounded to nearest in the bfloat16 parameter the trainer reads.
   */
  FP32_MASTER
}
