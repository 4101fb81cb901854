/**
 * Training runs that use Stride's public API only (and DJL's, for the last), run by {@link
 * dev.stride.examples.Examples} ({@code ./mvnw -q -Pexamples process-test-classes}):
 *
 * <ul>
 *   <li>{@link dev.stride.examples.LinearRegression}: SGD on a line, at three rates;
 *   <li>{@link dev.stride.examples.SpiralClassifier}: an MLP on two spirals, AdamW under warmup and
 *       cosine, its peak rate from the range test, an EMA of the weights, early stopping on a
 *       held-out split, and a checkpoint halfway that a fresh run resumes from to the same bits.
 *       The network is {@code Mlp}: {@code Dense} and {@code Relu} {@code Layer}s over off-heap
 *       float matrices, with {@code SoftmaxCrossEntropy}; the data are {@code Spirals}, served by
 *       {@code Minibatches}.
 *   <li>{@link dev.stride.examples.DjlSpiralClassifier}: the same spirals trained by DJL (its
 *       blocks, trainer and {@code ArrayDataset}), once with {@code StrideOptimizer} AdamW and once
 *       with DJL's Adam, and resumed halfway from a Stride checkpoint into a fresh DJL model.
 * </ul>
 *
 * {@link dev.stride.examples.Log} says where they report: a terminal, where a {@code ProgressBar}
 * redraws in place, plain output, or nowhere (the tests).
 */
package dev.stride.examples;
