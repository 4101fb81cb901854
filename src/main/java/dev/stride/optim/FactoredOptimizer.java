package dev.stride.optim;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.stride.kernel.AdafactorKernel;
import dev.stride.kernel.GradientCoefficients;
import dev.stride.kernel.ReduceKernel;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Adafactor's step, in both its forms ({@link Adafactor}, PyTorch's; {@link TransformersAdafactor},
 * Hugging Face's): a tensor of two or more dimensions keeps its second moment as the row and column
 * means of g² over its last two dimensions, a vector one per element. A step makes three passes
 * ({@link AdafactorKernel}):
 *
 * <ol>
 *   <li>‖p‖² per chunk; a matrix's row and column sums of s = g² + ε (a {@link FactoredTensor}), a
 *       vector's statistic averaged and its update U, whose ‖U‖² per chunk;
 *   <li>between: the rule's step scale from RMS(p); each matrix's statistics averaged with this
 *       step's means and made into row and column factors;
 *   <li>a matrix's update U from its factors, for ‖U‖² per chunk;
 *   <li>between: the rule's clipping and step from RMS(U);
 *   <li>the update of p (and of transformers' first moment).
 * </ol>
 *
 * Every sum is the same for any number of threads. State slots, in each rule's order: 0 the row
 * statistics, 1 the column statistics (tensors of two or more dimensions), 2 the full statistic
 * (the others), 3 the first moment (transformers', with β1).
 *
 * @param <H> the rule's hyperparameters
 */
abstract class FactoredOptimizer<H extends Hyperparameters<H>> extends Optimizer<H> {
  static final int ROWS = 0;
  static final int COLUMNS = 1;
  static final int FULL = 2;
  static final int FIRST_MOMENT = 3;
  private static final int PARAM_SQUARES = 0;
  private static final int UPDATE_SQUARES = 1;
  private final AdafactorKernel kernel = kernel(AdafactorKernel.class);
  private final ReduceKernel reduce = kernel(ReduceKernel.class);

  /** Per plan parameter: its chunks' results summed, from {@link #parameterSums}. */
  private double[] sums = new double[0];

  FactoredOptimizer(Rule<H> rule, H hyperparameters, Kernels kernels) {
    super(rule, hyperparameters, kernels);
  }

  /** A row statistic's shape, {@code [..., R, 1]}, torch's: for two or more dimensions. */
  static long[] keptRows(long[] shape) {
    return shape.length < 2 ? null : with(shape, shape.length - 1, 1);
  }

  /** A column statistic's shape, {@code [..., 1, C]}, torch's. */
  static long[] keptColumns(long[] shape) {
    return shape.length < 2 ? null : with(shape, shape.length - 2, 1);
  }

  /** A row statistic's shape, {@code [..., R]}, transformers'. */
  static long[] rowsOnly(long[] shape) {
    return shape.length < 2 ? null : Arrays.copyOf(shape, shape.length - 1);
  }

  /** A column statistic's shape, {@code [..., C]}, transformers'. */
  static long[] columnsOnly(long[] shape) {
    if (shape.length < 2) {
      return null;
    }
    long[] s = Arrays.copyOf(shape, shape.length - 1);
    s[s.length - 1] = shape[shape.length - 1];
    return s;
  }

  /** The full statistic's shape, the tensor's: for fewer than two dimensions. */
  static long[] unfactored(long[] shape) {
    return shape.length < 2 ? shape : null;
  }

  private static long[] with(long[] shape, int k, long d) {
    long[] s = shape.clone();
    s[k] = d;
    return s;
  }

  /**
   * Sets the tensor's coefficients for the step about to be taken that need no reduction: the
   * average's weights, ε, the first moment, {@link FactoredTensor#meanFloor}, and whatever the rule
   * keeps for {@link #scaleStep}.
   */
  abstract void prepareTensor(H h, Parameter p, FactoredTensor t);

  /** Between the first passes: the step scale from ‖p‖² (before this step), summed in double. */
  abstract void scaleStep(H h, Parameter p, FactoredTensor t, double paramSquares);

  /** Between the last passes: the step's {@code setStep} from ‖U‖², summed in double. */
  abstract void setStep(H h, Parameter p, FactoredTensor t, double updateSquares);

  @Override
  final GradientCoefficients newCoefficients(long[] shape) {
    return new FactoredTensor(shape);
  }

  @Override
  final GradientCoefficients newCoefficients() {
    throw new IllegalStateException("Adafactor's coefficients depend on the tensor's shape");
  }

  @Override
  final void prepare(H h, Parameter p) {
    prepareTensor(h, p, p.coefficients());
  }

  @Override
  final boolean sharesCoefficients() {
    return false; // each tensor its sums and factors
  }

  @Override
  final int chunksPerUnit(long[] shape) {
    return shape.length >= 2 ? FactoredTensor.BLOCK_CHUNKS : 1;
  }

  @Override
  final int chunkResults() {
    return 2;
  }

  @Override
  final int scratchChunks() {
    return 0; // the kernels sum what they compute
  }

  @Override
  final void update(int pass, int worker, int chunk, Parameter p, long offset, long count) {
    FactoredTensor t = p.coefficients();
    double[] partials = partials(worker);
    if (pass == 0) {
      setChunkResult(chunk, PARAM_SQUARES, reduce.sumOfSquares(p.value, offset, count, partials));
      if (t.factored) {
        sumRowsAndColumns(t, p, partials, offset, count);
      } else {
        setChunkResult(
            chunk,
            UPDATE_SQUARES,
            kernel.sumOfUpdateSquares(
                t, 0, null, 0, p.state(FULL), p.value, p.grad, offset, count, partials));
      }
    } else if (pass == 1) {
      if (t.factored) {
        double sum = 0;
        for (long e = offset, end = offset + count, n; e < end; e += n) {
          n = segment(t, e, end);
          sum +=
              kernel.sumOfUpdateSquares(
                  t,
                  t.rowFactors[(int) t.row(e)],
                  t.columnFactors,
                  t.slot(e),
                  MemorySegment.NULL,
                  p.value,
                  p.grad,
                  e,
                  n,
                  partials);
        }
        setChunkResult(chunk, UPDATE_SQUARES, sum);
      }
    } else if (t.factored) {
      for (long e = offset, end = offset + count, n; e < end; e += n) {
        n = segment(t, e, end);
        kernel.apply(
            t,
            t.rowFactors[(int) t.row(e)],
            t.columnFactors,
            t.slot(e),
            MemorySegment.NULL,
            p.value,
            p.grad,
            p.state(FIRST_MOMENT),
            e,
            n);
      }
    } else {
      kernel.apply(
          t, 0, null, 0, p.state(FULL), p.value, p.grad, p.state(FIRST_MOMENT), offset, count);
    }
  }

  /** The elements from e on in e's row, up to {@code end}. */
  private static long segment(FactoredTensor t, long e, long end) {
    return Math.min((t.row(e) + 1) * t.columns, end) - e;
  }

  /** Pass 1 over a chunk of a matrix: its sums per row segment, and its columns' sums. */
  private void sumRowsAndColumns(
      FactoredTensor t, Parameter p, double[] partials, long offset, long count) {
    int b = t.block(offset);
    if (offset == (long) b * FactoredTensor.BLOCK) {
      t.startBlock(b);
    }
    for (long e = offset, end = offset + count, n; e < end; e += n) {
      n = segment(t, e, end);
      t.addRowSum(
          b,
          e,
          kernel.sumRow(
              t, p.value, p.grad, t.blockSums(), t.blockSumsAt(b, e), e, (int) n, partials));
    }
  }

  @Override
  final boolean betweenPasses(int pass) {
    Parameter[] parameters = planParameters();
    if (sums.length < 2 * parameters.length) {
      sums = new double[2 * parameters.length];
    }
    parameterSums(sums);
    for (int j = 0; j < parameters.length; j++) {
      Parameter p = parameters[j];
      FactoredTensor t = p.coefficients();
      H h = group(p.group).hyperparameters();
      if (pass == 0) {
        scaleStep(h, p, t, sums[2 * j + PARAM_SQUARES]);
        if (t.factored && t.count > 0) {
          t.combineBlocks();
          averageStatistics(t, p.state(ROWS), p.state(COLUMNS));
        }
      } else if (pass == 1) {
        setStep(h, p, t, sums[2 * j + UPDATE_SQUARES]);
      }
    }
    return true;
  }

  /**
   * A matrix's statistics averaged with this step's means (row i's: its sum over C; column j's: its
   * sum over R), then its factors: r_i = rsqrt(R_i / max(mean of its matrix's R, floor)) and c_j =
   * rsqrt(C_j), each R_i / mean a float.
   */
  private static void averageStatistics(
      FactoredTensor t, MemorySegment rowStatistics, MemorySegment columnStatistics) {
    int rows = t.rows;
    int columns = t.columns;
    for (int i = 0; i < t.rowSums.length; i++) {
      float mean = (float) (t.rowSums[i] / columns);
      rowStatistics.setAtIndex(
          JAVA_FLOAT, i, t.average(rowStatistics.getAtIndex(JAVA_FLOAT, i), mean));
    }
    for (int s = 0; s < t.columnSums.length; s++) {
      float mean = (float) (t.columnSums[s] / rows);
      float statistic = t.average(columnStatistics.getAtIndex(JAVA_FLOAT, s), mean);
      columnStatistics.setAtIndex(JAVA_FLOAT, s, statistic);
      t.columnFactors[s] = t.inverseRoot(statistic);
    }
    for (int l = 0; l < t.matrices; l++) {
      double sum = 0;
      for (int i = l * rows; i < (l + 1) * rows; i++) {
        sum += rowStatistics.getAtIndex(JAVA_FLOAT, i);
      }
      float mean = Math.max((float) (sum / rows), t.meanFloor);
      for (int i = l * rows; i < (l + 1) * rows; i++) {
        t.rowFactors[i] = t.inverseRoot(rowStatistics.getAtIndex(JAVA_FLOAT, i) / mean);
      }
    }
  }
}
