package dev.stride.optim;

import java.util.List;

/**
 * How the ranks of a data-parallel run combine a few numbers: the seam between Stride and a
 * distributed engine (an MPI communicator, a trainer's NCCL or Gloo process group, Spark's barrier
 * tasks). A sharded optimizer ({@link Optimizer#setShard}) reduces everything that spans the whole
 * model through it: the gradient norm of clipping, the non-finite test of the guard and of a {@link
 * LossScaler}, the per-tensor norms of LAMB, LARS and {@link Optimizer#gradientNorms} for tensors
 * that straddle shards, and Prodigy's sums. Every rank makes the same calls with arrays of the same
 * length in the same order, at the same points of its step.
 *
 * <p>Stride passes finite numbers only, and its sums are of integers held exactly in doubles (far
 * below 2<sup>53</sup>): they come out the same whatever order or tree the engine adds the ranks'
 * values in, so every rank gets the same bits, and N ranks the bits of one. An implementation may
 * therefore use any reduction algorithm; it must not round to float32. {@code docs/distributed.md}
 * says what each rank calls and what crosses the network.
 */
public interface AllReduce {
  /**
   * Replaces each element of {@code values} by its sum over every rank's {@code values}. Blocks
   * until every rank has called it.
   */
  void sum(double[] values);

  /** As {@link #sum}, with the largest instead of the sum. */
  void max(double[] values);

  /**
   * {@code ranks} all-reduces of one JVM, one per rank, to be called from one thread per rank: each
   * call waits for the other ranks' and sums in rank order. For tests, and for sharded steps of one
   * model on one machine. A rank that waits more than a minute for the others, or is interrupted
   * while it waits, fails with an {@link IllegalStateException}, and so does every call after.
   *
   * @throws IllegalArgumentException if {@code ranks} is less than 1
   */
  static List<AllReduce> inProcess(int ranks) {
    return InProcessAllReduce.group(ranks);
  }
}
