package dev.stride.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link ExactSums}: the same bits for any order of the terms and any cut of them among ranks
 * (whose parts an all-reduce adds in any order), within 2^-77 of the largest term per term of the
 * exact sum, and non-finite terms as a double sum has them.
 */
class ExactSumsTest {

  /** Terms, and a cut of them among ranks with a seed for the order. */
  record Case(List<Double> terms, int ranks, long seed) {}

  @Provide
  Arbitrary<Case> cases() {
    // uniform ones, ones of any magnitude (down to subnormals), and a few that matter
    Arbitrary<Double> anyMagnitude =
        Combinators.combine(
                Arbitraries.doubles().between(-1, 1), Arbitraries.integers().between(-1074, 1000))
            .as(Math::scalb);
    Arbitrary<Double> term =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, Arbitraries.doubles().between(-1e6, 1e6)),
            net.jqwik.api.Tuple.of(3, anyMagnitude),
            net.jqwik.api.Tuple.of(
                2, Arbitraries.of(0.0, -0.0, Double.MIN_VALUE, 1e300, -1e300, 3.0, 1e-20)));
    return Combinators.combine(
            term.list().ofMinSize(0).ofMaxSize(60),
            Arbitraries.integers().between(1, 9),
            Arbitraries.longs())
        .as(Case::new);
  }

  @Property(tries = 300)
  void aSumIsTheSameForAnyOrderAndAnyCutAmongRanks(@ForAll("cases") Case c) {
    double alone = sumOnRanks(c.terms(), 1, new Random(0));
    double cut = sumOnRanks(c.terms(), c.ranks(), new Random(c.seed()));
    assertEquals(
        Double.doubleToRawLongBits(alone),
        Double.doubleToRawLongBits(cut),
        "one rank " + alone + ", " + c.ranks() + " ranks " + cut);
  }

  @Property(tries = 300)
  void aSumIsWithinTwoToTheMinus77OfTheLargestTermPerTermOfTheExactSum(@ForAll("cases") Case c) {
    double sum = sumOnRanks(c.terms(), 1, new Random(0));
    BigDecimal exact = BigDecimal.ZERO;
    double largest = 0;
    for (double x : c.terms()) {
      exact = exact.add(new BigDecimal(x));
      largest = Math.max(largest, Math.abs(x));
    }
    double rounded = exact.round(MathContext.DECIMAL128).doubleValue();
    double bound = c.terms().size() * Math.scalb(largest, -76) + Math.ulp(rounded);
    assertTrue(
        Math.abs(sum - rounded) <= bound,
        "sum " + sum + " against the exact " + rounded + ", bound " + bound);
  }

  @Test
  void nonFiniteTermsMakeTheSumADoubleSumWouldBe() {
    double inf = Double.POSITIVE_INFINITY;
    assertEquals(inf, sumOnRanks(List.of(1.0, inf, 2.0), 2, new Random(1)));
    assertEquals(-inf, sumOnRanks(List.of(-inf, 1e300, -inf), 3, new Random(2)));
    assertTrue(Double.isNaN(sumOnRanks(List.of(inf, 5.0, -inf), 2, new Random(3))));
    assertTrue(Double.isNaN(sumOnRanks(List.of(1.0, Double.NaN), 1, new Random(4))));
    assertEquals(0.0, sumOnRanks(List.of(), 4, new Random(5)));
    assertEquals(0.0, sumOnRanks(List.of(1.5, -1.5), 2, new Random(6)));
  }

  @Test
  void aMaximumIsTheLargestTermAndNaNIfOneIs() throws Exception {
    ExactSums sums = new ExactSums();
    sums.begin(2);
    for (double x : new double[] {3, 7, 0, 5}) {
      sums.observe(0, x);
    }
    sums.observe(1, 2);
    sums.observe(1, Double.NaN);
    sums.shareLargest(InProcessAllReduce.ALONE, 2);
    assertEquals(7, sums.max(0));
    assertTrue(Double.isNaN(sums.max(1)));
    assertTrue(sums.allFinite(0));
    assertTrue(!sums.allFinite(1));
  }

  /**
   * The terms shuffled and dealt to {@code ranks} ranks in contiguous runs of random length, each
   * rank's part summed by its own {@link ExactSums}, the ranks combined by an in-process
   * all-reduce.
   */
  private static double sumOnRanks(List<Double> terms, int ranks, Random random) {
    List<Double> shuffled = new ArrayList<>(terms);
    Collections.shuffle(shuffled, random);
    int[] cuts = new int[ranks + 1];
    for (int r = 1; r < ranks; r++) {
      cuts[r] = random.nextInt(shuffled.size() + 1);
    }
    cuts[ranks] = shuffled.size();
    java.util.Arrays.sort(cuts);
    List<AllReduce> allReduce = AllReduce.inProcess(ranks);
    double[] results = new double[ranks];
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    for (int r = 0; r < ranks; r++) {
      int rank = r;
      List<Double> part = shuffled.subList(cuts[r], cuts[r + 1]);
      Thread t =
          new Thread(
              () -> {
                try {
                  ExactSums sums = new ExactSums();
                  sums.begin(1);
                  part.forEach(x -> sums.observe(0, x));
                  sums.shareLargest(allReduce.get(rank), 1);
                  part.forEach(x -> sums.add(0, x));
                  sums.shareSums(allReduce.get(rank), 1);
                  results[rank] = sums.sum(0);
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    assertTrue(failures.isEmpty(), () -> "a rank failed: " + failures);
    for (double x : results) {
      assertEquals(Double.doubleToRawLongBits(results[0]), Double.doubleToRawLongBits(x));
    }
    return results[0];
  }
}
