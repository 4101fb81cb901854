package dev.stride.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stride.optim.Sgd;
import dev.stride.optim.SgdOptions;
import dev.stride.testing.NativeFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Keras's EarlyStopping, argument by argument: the epoch that says stop, the best epoch, and which
 * weights come back, for metric sequences worked through by hand against Keras's {@code
 * on_epoch_end}.
 */
class EarlyStoppingTest {

  /** The epoch at which observing {@code metrics} in turn first says stop, or -1. */
  private static long stopsAt(EarlyStopping stop, double... metrics) {
    for (int e = 0; e < metrics.length; e++) {
      if (stop.observe(metrics[e])) {
        return e;
      }
    }
    return -1;
  }

  @Test
  void patienceCountsEpochsWithoutImprovement() {
    // waits: 0, 0, 1, 2 -> stop at epoch 3 with patience 2
    assertEquals(
        3, stopsAt(EarlyStopping.builder(Mode.MIN).patience(2).build(), 1, 0.9, 0.95, 0.96, 0.97));
    // patience 0 (the default): the first epoch without improvement
    assertEquals(2, stopsAt(EarlyStopping.builder(Mode.MIN).build(), 1, 0.9, 0.95, 0.5));
    // an improvement clears the wait
    assertEquals(
        -1,
        stopsAt(EarlyStopping.builder(Mode.MIN).patience(2).build(), 1, 1.1, 0.9, 1.0, 0.8, 0.7));
  }

  @Test
  void modeMaxWantsTheMetricHigher() {
    EarlyStopping stop = EarlyStopping.builder(Mode.MAX).patience(2).build();
    assertEquals(3, stopsAt(stop, 0.5, 0.6, 0.55, 0.58));
    assertEquals(0.6, stop.best());
    assertEquals(1, stop.bestEpoch());
    assertEquals(OptionalLong.of(3), stop.stoppedEpoch());
  }

  @Test
  void minDeltaIsTheLeastImprovementThatCounts() {
    // 0.95 is less than 0.1 below 1: not an improvement, and the best stays 1
    EarlyStopping stop = EarlyStopping.builder(Mode.MIN).minDelta(0.1).patience(2).build();
    assertEquals(2, stopsAt(stop, 1, 0.95, 0.92));
    assertEquals(1, stop.best());
    assertEquals(0, stop.bestEpoch());
    EarlyStopping max = EarlyStopping.builder(Mode.MAX).minDelta(0.1).build();
    assertEquals(-1, stopsAt(max, 0.1, 0.25, 0.4));
    assertEquals(2, stopsAt(EarlyStopping.builder(Mode.MAX).minDelta(0.1).build(), 0.1, 0.25, 0.3));
  }

  @Test
  void aBaselineMustBeBeatenForAnImprovementToClearTheWait() {
    // improving but under the baseline 0.5: the wait grows 1, 2 and is not checked while improving
    // (Keras returns on an improvement), so the first epoch without one stops at once
    EarlyStopping stop = EarlyStopping.builder(Mode.MAX).baseline(0.5).patience(2).build();
    assertEquals(2, stopsAt(stop, 0.1, 0.2, 0.15));
    assertEquals(0.2, stop.best());
    // without the baseline the same metrics wait: 0, 0, 1
    assertEquals(-1, stopsAt(EarlyStopping.builder(Mode.MAX).patience(2).build(), 0.1, 0.2, 0.15));
    // beating the baseline clears it
    assertEquals(
        -1,
        stopsAt(EarlyStopping.builder(Mode.MAX).baseline(0.5).patience(2).build(), 0.1, 0.6, 0.55));
  }

  @Test
  void startFromEpochIgnoresTheWarmUp() {
    EarlyStopping stop = EarlyStopping.builder(Mode.MIN).startFromEpoch(3).build();
    assertEquals(4, stopsAt(stop, 1, 2, 3, 0.5, 0.6));
    assertEquals(0.5, stop.best());
    assertEquals(3, stop.bestEpoch());
    assertEquals(-1, stopsAt(EarlyStopping.builder(Mode.MIN).startFromEpoch(3).build(), 1, 2, 3));
  }

  @Test
  void theFirstEpochNeverStops() {
    // NaN never improves; at epoch 0 the wait reaches the patience but Keras waits for epoch > 0
    EarlyStopping stop = EarlyStopping.builder(Mode.MIN).build();
    assertFalse(stop.observe(Double.NaN));
    assertTrue(stop.observe(Double.NaN));
    assertEquals(Double.POSITIVE_INFINITY, stop.best());
  }

  @Test
  void restoreBestWeightsSavesEachNewBestAndTheFirstEpochAndRestoresAtTheEnd() {
    List<String> calls = new ArrayList<>();
    EarlyStopping.BestWeights recorder =
        new EarlyStopping.BestWeights() {
          @Override
          public void save() {
            calls.add("save");
          }

          @Override
          public void restore() {
            calls.add("restore");
          }
        };
    EarlyStopping stop =
        EarlyStopping.builder(Mode.MIN)
            .patience(1)
            .startFromEpoch(1)
            .restoreBestWeights(recorder)
            .build();
    assertEquals(3, stopsAt(stop, 5, 1, 0.5, 0.7));
    // epoch 1: first watched (save) and an improvement (save); epoch 2: an improvement
    assertEquals(List.of("save", "save", "save"), calls);
    assertTrue(stop.end());
    assertEquals("restore", calls.getLast());
    assertFalse(
        EarlyStopping.builder(Mode.MIN).build().end(), "nothing to restore without the option");
  }

  @Test
  void snapshotsPutBackTheWeightsOfTheBestEpoch() {
    try (Arena arena = Arena.ofConfined();
        Sgd sgd = new Sgd(SgdOptions.of(0.1))) {
      MemorySegment w = NativeFloats.of(arena, 1f, 2f, 3f);
      sgd.add(w, NativeFloats.of(arena, 1f, 1f, 1f));
      try (EarlyStopping.Snapshots<SgdOptions> best = EarlyStopping.BestWeights.snapshots(sgd)) {
        EarlyStopping stop =
            EarlyStopping.builder(Mode.MIN).patience(1).restoreBestWeights(best).build();
        float[] atBest = null;
        double[] metrics = {3, 2, 2.5, 2.6};
        for (double m : metrics) {
          sgd.step();
          if (m == 2) {
            atBest = NativeFloats.toArray(w);
          }
          if (stop.observe(m)) {
            break;
          }
        }
        assertEquals(1, stop.bestEpoch());
        assertTrue(stop.end());
        assertArrayEquals(atBest, NativeFloats.toArray(w));
        assertEquals(2, sgd.stepCount(), "the snapshot puts the step count back too");
      }
      EarlyStopping.Snapshots<SgdOptions> empty = EarlyStopping.BestWeights.snapshots(sgd);
      assertTrue(
          assertThrows(IllegalStateException.class, empty::restore)
              .getMessage()
              .contains("no best weights were saved in this process"));
    }
  }

  @Test
  void aRestoredStateDecidesAsTheOriginalWould() {
    Supplier<EarlyStopping> make =
        () -> EarlyStopping.builder(Mode.MIN).patience(2).minDelta(0.01).build();
    double[] metrics = {1, 0.8, 0.85, 0.7, 0.75, 0.74, 0.72, 0.71};
    EarlyStopping uninterrupted = make.get();
    EarlyStopping resumed = make.get();
    for (int e = 0; e < 4; e++) {
      uninterrupted.observe(metrics[e]);
    }
    resumed.restore(uninterrupted.state());
    for (int e = 4; e < metrics.length; e++) {
      assertEquals(uninterrupted.observe(metrics[e]), resumed.observe(metrics[e]), "epoch " + e);
    }
    assertEquals(uninterrupted.state(), resumed.state());
    // epoch 5 said stop first; observed on, each later epoch says it again
    assertEquals(OptionalLong.of(7), resumed.stoppedEpoch());
  }

  @Test
  void badArgumentsAreRefusedByName() {
    assertEquals(
        "minDelta must be a finite number >= 0, got -0.1",
        assertThrows(
                IllegalArgumentException.class,
                () -> EarlyStopping.builder(Mode.MIN).minDelta(-0.1).build())
            .getMessage());
    assertEquals(
        "minDelta must be a finite number >= 0, got NaN",
        assertThrows(
                IllegalArgumentException.class,
                () -> EarlyStopping.builder(Mode.MIN).minDelta(Double.NaN).build())
            .getMessage());
    assertEquals(
        "patience must be >= 0, got -1",
        assertThrows(
                IllegalArgumentException.class,
                () -> EarlyStopping.builder(Mode.MIN).patience(-1).build())
            .getMessage());
    assertEquals(
        "startFromEpoch must be >= 0, got -2",
        assertThrows(
                IllegalArgumentException.class,
                () -> EarlyStopping.builder(Mode.MIN).startFromEpoch(-2).build())
            .getMessage());
    assertEquals(
        "baseline must be a finite number, got Infinity",
        assertThrows(
                IllegalArgumentException.class,
                () -> EarlyStopping.builder(Mode.MIN).baseline(Double.POSITIVE_INFINITY).build())
            .getMessage());
    assertEquals(
        "mode",
        assertThrows(NullPointerException.class, () -> EarlyStopping.builder(null).build())
            .getMessage());
    assertEquals(
        "weights",
        assertThrows(
                NullPointerException.class,
                () -> EarlyStopping.builder(Mode.MIN).restoreBestWeights(null))
            .getMessage());
    assertEquals(
        "state.epochsWaited must be >= 0, got -1",
        assertThrows(
                IllegalArgumentException.class,
                () -> new EarlyStopping.State(3, -1, 0.5, 1, -1, false))
            .getMessage());
    assertEquals(
        "state.best must not be NaN",
        assertThrows(
                IllegalArgumentException.class,
                () -> new EarlyStopping.State(3, 1, Double.NaN, 1, -1, false))
            .getMessage());
    assertEquals(
        "state.stoppedEpoch must be >= -1, got -5",
        assertThrows(
                IllegalArgumentException.class,
                () -> new EarlyStopping.State(3, 1, 0.5, 1, -5, false))
            .getMessage());
  }
}
