package dev.stride.examples;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The mean softmax cross-entropy of a batch of logits against integer labels. Its gradient with
 * respect to the logits is {@code (softmax(z) − onehot(label)) / rows}.
 */
final class SoftmaxCrossEntropy {
  private final int classes;
  private final MemorySegment grad;

  SoftmaxCrossEntropy(Arena arena, int classes, int maxRows) {
    this.classes = classes;
    grad = Dense.floats(arena, (long) maxRows * classes);
  }

  /** The mean loss over the first {@code rows} rows; leaves its gradient in {@link #grad()}. */
  double lossAndGrad(MemorySegment logits, MemorySegment labels, int rows) {
    double total = 0;
    for (int r = 0; r < rows; r++) {
      long row = (long) r * classes;
      // subtract the largest logit first, so that exp cannot overflow
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        max = Math.max(max, logits.getAtIndex(JAVA_FLOAT, row + c));
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        sum += Math.exp(logits.getAtIndex(JAVA_FLOAT, row + c) - max);
      }
      int label = labels.getAtIndex(JAVA_INT, r);
      total += Math.log(sum) - (logits.getAtIndex(JAVA_FLOAT, row + label) - max);
      for (int c = 0; c < classes; c++) {
        double p = Math.exp(logits.getAtIndex(JAVA_FLOAT, row + c) - max) / sum;
        grad.setAtIndex(JAVA_FLOAT, row + c, (float) ((p - (c == label ? 1 : 0)) / rows));
      }
    }
    return total / rows;
  }

  /** ∂loss/∂logits of the last {@link #lossAndGrad} call. */
  MemorySegment grad() {
    return grad;
  }
}
