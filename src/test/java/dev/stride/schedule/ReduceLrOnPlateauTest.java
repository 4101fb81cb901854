package dev.stride.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stride.training.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReduceLrOnPlateauTest {
  private static final double[] LOSS = {
    1.0, 0.9, 0.9, 0.9, 0.9, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8
  };

  private static ReduceLrOnPlateau plateau() {
    return Schedules.reduceOnPlateau(0.1).factor(0.5).patience(2).cooldown(1).build();
  }

  @Test
  void aRestoredStateContinuesExactlyAsTheUninterruptedRun() {
    ReduceLrOnPlateau uninterrupted = plateau();
    ReduceLrOnPlateau first = plateau();
    for (int k = 0; k < 9; k++) {
      uninterrupted.observe(LOSS[k]);
      first.observe(LOSS[k]);
    }
    ReduceLrOnPlateau.State checkpoint = first.state();
    ReduceLrOnPlateau resumed = plateau();
    resumed.restore(checkpoint);
    for (int k = 9; k < LOSS.length; k++) {
      uninterrupted.observe(LOSS[k]);
      resumed.observe(LOSS[k]);
      assertEquals(uninterrupted.state(), resumed.state(), "after metric " + k);
    }
    assertEquals(0.1 * 0.5 * 0.5 * 0.5, resumed.valueAt(LOSS.length));
  }

  @Test
  void insideASequenceItTakesOverAfterTheWarmPhaseWithTheValueItsMetricsGaveIt() {
    ReduceLrOnPlateau plateau = plateau();
    Schedule schedule = Schedules.linearWarmup(4, 0.25, plateau);
    assertEquals(0.025, schedule.valueAt(0), 1e-17);
    assertEquals(0.1, schedule.valueAt(4));
    for (int k = 0; k < 5; k++) {
      plateau.observe(LOSS[k]); // 1.0 best, 0.9 best, three without improvement: one reduction
    }
    assertEquals(0.05, schedule.valueAt(5));
  }

  @Test
  void asAFactorOfAChainItScalesTheOtherSchedule() {
    ReduceLrOnPlateau factor =
        Schedules.reduceOnPlateau(1).mode(Mode.MAX).factor(0.1).patience(0).build();
    Schedule chain = Schedules.chained(Schedules.cosine(0.2, 0, 100), factor);
    factor.observe(0.9);
    factor.observe(0.8); // worse accuracy: reduce at once
    assertEquals(Schedules.cosine(0.2, 0, 100).valueAt(50) * 0.1, chain.valueAt(50), 1e-18);
  }

  @Test
  void nothingChangesOnceTheFloorIsReached() {
    ReduceLrOnPlateau plateau =
        Schedules.reduceOnPlateau(0.1).factor(0.1).patience(0).minValue(0.002).build();
    List.of(1.0, 1.0, 1.0, 1.0).forEach(plateau::observe);
    assertEquals(0.002, plateau.valueAt(0));
  }
}
