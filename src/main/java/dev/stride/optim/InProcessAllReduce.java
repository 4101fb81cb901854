package dev.stride.optim;

import dev.stride.internal.Args;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The all-reduce of {@link AllReduce#inProcess}: the ranks are threads of one JVM. Each copies its
 * array into a deposit of its own, they meet at a barrier, and each adds every rank's deposit in
 * rank order into its array. Deposits alternate between two sets from call to call, so that a rank
 * that goes on to the next call does not overwrite what a slower one still reads, and one barrier
 * per call suffices: no rank can start the call after next before every rank has finished this one.
 * Nothing is allocated once the deposits fit.
 */
final class InProcessAllReduce implements AllReduce {
  private static final long TIMEOUT_SECONDS = 60;

  /** The all-reduce of one rank alone, which changes nothing: an optimizer's own. */
  static final AllReduce ALONE =
      new AllReduce() {
        @Override
        public void sum(double[] values) {}

        @Override
        public void max(double[] values) {}
      };

  private final Group group;
  private final int rank;

  /** Which of the two sets of deposits this rank's next call uses. */
  private int set;

  private InProcessAllReduce(Group group, int rank) {
    this.group = group;
    this.rank = rank;
  }

  static List<AllReduce> group(int ranks) {
    Args.positive("ranks", ranks);
    Group group = new Group(ranks);
    List<AllReduce> all = new ArrayList<>();
    for (int r = 0; r < ranks; r++) {
      all.add(new InProcessAllReduce(group, r));
    }
    return List.copyOf(all);
  }

  @Override
  public void sum(double[] values) {
    reduce(values, false);
  }

  @Override
  public void max(double[] values) {
    reduce(values, true);
  }

  private void reduce(double[] values, boolean max) {
    Deposit[] deposits = group.deposits[set];
    set ^= 1;
    Deposit mine = deposits[rank];
    if (mine.values.length < values.length) {
      mine.values = new double[values.length];
    }
    System.arraycopy(values, 0, mine.values, 0, values.length);
    mine.length = values.length;
    mine.max = max;
    group.await(rank);
    for (int r = 0; r < deposits.length; r++) {
      if (deposits[r].length != values.length || deposits[r].max != max) {
        throw new IllegalStateException(
            "rank "
                + r
                + " called "
                + (deposits[r].max ? "max" : "sum")
                + " with "
                + deposits[r].length
                + " values where rank "
                + rank
                + " called "
                + (max ? "max" : "sum")
                + " with "
                + values.length
                + ": the ranks' steps differ");
      }
    }
    for (int i = 0; i < values.length; i++) {
      double v = deposits[0].values[i];
      for (int r = 1; r < deposits.length; r++) {
        double x = deposits[r].values[i];
        v = max ? Math.max(v, x) : v + x;
      }
      values[i] = v;
    }
  }

  /** One rank's values in one call. */
  private static final class Deposit {
    double[] values = new double[0];
    int length;
    boolean max;
  }

  /**
   * What the ranks of one group share, and the barrier they meet at: a count of arrivals and of
   * generations under the group's monitor (a {@code CyclicBarrier} allocates an object per trip).
   */
  private static final class Group {
    final int ranks;

    /** Two sets of one deposit per rank, used in turn. */
    final Deposit[][] deposits;

    private int arrived;
    private long generation;
    private String broken;

    Group(int ranks) {
      this.ranks = ranks;
      deposits = new Deposit[2][ranks];
      for (Deposit[] set : deposits) {
        for (int r = 0; r < ranks; r++) {
          set[r] = new Deposit();
        }
      }
    }

    /** Waits until every rank has come; a timeout or an interrupt breaks the group for good. */
    synchronized void await(int rank) {
      checkBroken(rank);
      long mine = generation;
      if (++arrived == ranks) {
        arrived = 0;
        generation++;
        notifyAll();
        return;
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
      while (generation == mine) {
        checkBroken(rank);
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          breakGroup("rank " + rank + " waited " + TIMEOUT_SECONDS + " s for the other ranks");
          throw new IllegalStateException(broken);
        }
        try {
          wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          breakGroup("rank " + rank + " was interrupted in an all-reduce");
          throw new IllegalStateException(broken, e);
        }
      }
    }

    private void checkBroken(int rank) {
      if (broken != null) {
        throw new IllegalStateException(
            "rank " + rank + "'s all-reduce group is broken: " + broken);
      }
    }

    private void breakGroup(String why) {
      broken = why;
      notifyAll();
    }
  }
}
