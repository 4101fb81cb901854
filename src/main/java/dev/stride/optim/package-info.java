/**
 * The optimizers: one class per update rule ({@link dev.stride.optim.Adam}, {@link
 * dev.stride.optim.Sgd}, …), each with an immutable options record under PyTorch's names and a
 * {@link dev.stride.optim.Rule} that describes it once ({@code Adam.RULE}), all listed by {@link
 * dev.stride.optim.Rules} and made by name by {@link dev.stride.optim.PyTorchOptimizers}.
 *
 * <ul>
 *   <li>{@link dev.stride.optim.Optimizer}: parameter groups, configuration, the step, snapshots,
 *       {@code stateDict()} and {@code loadStateDict(...)} ({@link dev.stride.optim.StateDict},
 *       PyTorch's layout);
 *   <li>around the step: {@link dev.stride.optim.Clipping} and {@link
 *       dev.stride.optim.GradientClipping}, {@link dev.stride.optim.LossScaler}, {@link
 *       dev.stride.optim.Norms}, {@link dev.stride.optim.WeightAverage};
 *   <li>the parallel step: {@link dev.stride.optim.StepPool} (the threads), and, not public, the
 *       runner, the plan of chunks and the state memory; {@link dev.stride.optim.Kernels} picks the
 *       scalar or the vector kernels of {@code dev.stride.kernel}.
 * </ul>
 */
package dev.stride.optim;
