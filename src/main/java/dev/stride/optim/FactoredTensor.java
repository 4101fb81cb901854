package dev.stride.optim;

import dev.stride.kernel.AdafactorKernel;
import java.util.Arrays;

/**
 * One tensor's Adafactor step: its kernel coefficients and, for a tensor of two or more dimensions
 * [..., R, C] (L matrices of R rows and C columns, the leading dimensions flattened), the geometry
 * and workspace of its row and column statistics: L·R row sums, L·C column sums, and the factors
 * the kernels read. Not state: nothing here outlives a step but the workspace's memory.
 *
 * <p>The sums are the same for any number of threads. A tensor's chunks are cut into blocks of
 * {@link #BLOCK_CHUNKS} chunks, each of which one thread takes whole, in order ({@link
 * Parameter#chunksPerUnit}). A row's sum is taken where the row starts, in its block; the part of
 * it that runs on into later blocks goes to each such block's head sum, added in block order
 * between the passes. Each block sums its own columns, over the slots l·C + j of the matrices it
 * touches; the blocks' sums are added in block order between the passes too.
 */
final class FactoredTensor extends AdafactorKernel.Coefficients {
  /**
   * Chunks per block: 16 (256K floats) keeps the blocks' column sums small, a thirty-second of the
   * tensor's bytes at 4,096 columns, with blocks enough for all threads on the usual matrices.
   */
  static final int BLOCK_CHUNKS = 16;

  static final long BLOCK = (long) BLOCK_CHUNKS * StepPlan.CHUNK;

  /** Whether the tensor has two or more dimensions, and so row and column statistics. */
  final boolean factored;

  /** Matrices, rows and columns of a factored tensor; 1, 1 and its length for a vector. */
  final int matrices;

  final int rows;
  final int columns;

  /** The tensor's elements, and √numel as PyTorch's {@code numel() ** 0.5} takes it. */
  final long count;

  final double rootCount;

  /** Per global row (l·R + i): its sum of s = g² + ε this step, then its factor r. */
  final double[] rowSums;

  final float[] rowFactors;

  /** Per block: the sum of the row it starts inside of, if it does. */
  private final double[] heads;

  /** Block b sums the column slots [firstSlot[b], endSlot[b]) at blockSums[sumsAt[b]] on. */
  private final int[] firstSlot;

  private final int[] endSlot;
  private final int[] sumsAt;
  private final double[] blockSums;

  /** Per column slot (l·C + j): its sum of s over the matrix's rows, then its factor c. */
  final double[] columnSums;

  final float[] columnFactors;

  /** The per-step scalar the rule keeps between passes: torch's α, transformers' lr_t. */
  double stepScale;

  /** Whether transformers' lr_t is a float32 number (RMS(p) > ε2 made it a tensor product). */
  boolean stepScaleIsFloat;

  /** The floor of a matrix's mean row statistic: torch's ε1, −∞ for transformers. */
  float meanFloor;

  /**
   * Whether a factor's rsqrt is correctly rounded (in double: torch's form, whose estimate r_i·c_j
   * stands for its rsqrt(R_i·C_j / mean)), or 1 / √x in float as transformers computes its factors.
   */
  boolean exactRoots;

  FactoredTensor(long[] shape) {
    int n = shape.length;
    long elements = 1;
    for (long d : shape) {
      elements *= d;
    }
    count = elements;
    rootCount = Math.pow(elements, 0.5);
    factored = n >= 2;
    if (!factored) {
      matrices = 1;
      rows = 1;
      columns = Math.toIntExact(elements);
      rowSums = heads = blockSums = columnSums = new double[0];
      rowFactors = columnFactors = new float[0];
      firstSlot = endSlot = sumsAt = new int[0];
      return;
    }
    rows = Math.toIntExact(shape[n - 2]);
    columns = Math.toIntExact(shape[n - 1]);
    long leading = 1;
    for (int k = 0; k < n - 2; k++) {
      leading *= shape[k];
    }
    matrices = Math.toIntExact(leading);
    rowSums = new double[Math.multiplyExact(matrices, rows)];
    rowFactors = new float[rowSums.length];
    columnSums = new double[Math.multiplyExact(matrices, columns)];
    columnFactors = new float[columnSums.length];
    int blocks = Math.toIntExact((count + BLOCK - 1) / BLOCK);
    heads = new double[blocks];
    firstSlot = new int[blocks];
    endSlot = new int[blocks];
    sumsAt = new int[blocks];
    long matrix = (long) rows * columns;
    int at = 0;
    for (int b = 0; b < blocks; b++) {
      long start = b * BLOCK;
      long end = Math.min(count, start + BLOCK);
      firstSlot[b] = Math.toIntExact(start / matrix * columns);
      endSlot[b] = Math.toIntExact(((end - 1) / matrix + 1) * columns);
      sumsAt[b] = at;
      at = Math.addExact(at, endSlot[b] - firstSlot[b]);
    }
    blockSums = new double[at];
  }

  /** rsqrt(x) for a factor, as {@link #exactRoots} says. */
  float inverseRoot(float x) {
    return exactRoots ? (float) (1 / Math.sqrt(x)) : 1 / (float) Math.sqrt(x);
  }

  /** The block of element {@code offset}. */
  int block(long offset) {
    return (int) (offset / BLOCK);
  }

  /** The global row of element e. */
  long row(long e) {
    return e / columns;
  }

  /** The column slot l·C + j of element e. */
  int slot(long e) {
    long row = e / columns;
    return (int) (row / rows * columns + (e - row * columns));
  }

  /** Starts block b's sums: the first chunk of a block calls it, on the block's thread. */
  void startBlock(int b) {
    heads[b] = 0;
    Arrays.fill(blockSums, sumsAt[b], sumsAt[b] + endSlot[b] - firstSlot[b], 0);
  }

  /** Adds a row segment's sum, starting at element e of block b. */
  void addRowSum(int b, long e, double sum) {
    long row = e / columns;
    long rowStart = row * columns;
    if (rowStart < b * BLOCK) {
      heads[b] += sum; // the row began in an earlier block
    } else if (e == rowStart) {
      rowSums[(int) row] = sum;
    } else {
      rowSums[(int) row] += sum;
    }
  }

  /** Where in {@link #blockSums} block b sums the slot of element e. */
  int blockSumsAt(int b, long e) {
    return sumsAt[b] + slot(e) - firstSlot[b];
  }

  double[] blockSums() {
    return blockSums;
  }

  /** Adds the blocks' heads to their rows and the blocks' column sums together, in block order. */
  void combineBlocks() {
    for (int b = 1; b < heads.length; b++) {
      long start = b * BLOCK;
      if (start % columns != 0) {
        rowSums[(int) (start / columns)] += heads[b];
      }
    }
    Arrays.fill(columnSums, 0);
    for (int b = 0; b < heads.length; b++) {
      for (int s = firstSlot[b], k = sumsAt[b]; s < endSlot[b]; s++, k++) {
        columnSums[s] += blockSums[k];
      }
    }
  }
}
