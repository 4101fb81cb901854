/**
 * Stride in DJL's trainers: {@link dev.stride.djl.StrideOptimizer}, a DJL optimizer that updates
 * the tensors of DJL's PyTorch engine in place with any Stride rule. The only package that uses DJL
 * (an optional dependency, {@code ai.djl:api}); the rest of Stride runs without it.
 */
package dev.stride.djl;
