package dev.stride.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Guards the 128- and 256-bit surefire runs: a width property that did not arrive would pass
 * silently.
 */
class KernelWidthTest {

  @Test
  void vectorKernelsUseTheConfiguredWidth() {
    String bits = System.getProperty(KernelSet.BITS_PROPERTY);
    if (bits != null) {
      assertEquals(Integer.parseInt(bits) / Float.SIZE, KernelHarness.LANES);
    } else {
      assertTrue(
          KernelHarness.LANES > 1,
          "the vector kernels should update more than one float per iteration");
    }
  }
}
