/**
 * A training run on disk: {@link dev.stride.checkpoint.Checkpoint} saves an optimizer's state (in
 * PyTorch's {@code state_dict} layout) and its {@link dev.stride.checkpoint.CheckpointPart}s (a
 * schedule's position, an early stop, weight averages, a loss scaler) to one safetensors file, and
 * loads it back all or nothing. Inside, the file ({@code TensorFile}: atomic writes, checksums) and
 * the names in it ({@code StateDictLayout}) are apart. The only package that needs Jackson.
 */
package dev.stride.checkpoint;
