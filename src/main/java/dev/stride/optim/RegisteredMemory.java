package dev.stride.optim;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The caller's memory the parameters are registered with, every value and gradient as an interval
 * of addresses, sorted by start. Registered intervals never overlap, so the ones that overlap a new
 * segment end a binary search: registering a parameter, and replacing a gradient at every step
 * ({@link ParamGroup#setGrad}), cost a few comparisons and no allocation (but when the arrays
 * grow). An interval of a parameter whose arena was closed is dropped when a new one overlaps it.
 */
final class RegisteredMemory {
  private long[] starts = new long[16];
  private long[] ends = new long[16];
  private MemorySegment[] segments = new MemorySegment[16];
  private Parameter[] owners = new Parameter[16];
  private int size;

  /**
   * The live parameter whose value or gradient overlaps {@code s}, other than the segment {@code
   * except} itself (a gradient being replaced), or null. Drops the dead intervals it meets.
   */
  Parameter overlapping(MemorySegment s, MemorySegment except) {
    if (s.byteSize() == 0) {
      return null;
    }
    long start = s.address();
    long end = start + s.byteSize();
    // Intervals are disjoint, so those that overlap [start, end) are the last ones starting before
    // end, back to the first that ends after start.
    for (int k = startingBefore(end) - 1; k >= 0 && ends[k] > start; k--) {
      if (segments[k] == except) {
        continue;
      }
      if (owners[k].isAlive()) {
        return owners[k];
      }
      remove(k);
    }
    return null;
  }

  /** Adds {@code s}, which {@link #overlapping} has cleared, as memory of {@code owner}. */
  void add(MemorySegment s, Parameter owner) {
    if (s.byteSize() == 0) {
      return;
    }
    if (size == starts.length) {
      starts = Arrays.copyOf(starts, 2 * size);
      ends = Arrays.copyOf(ends, 2 * size);
      segments = Arrays.copyOf(segments, 2 * size);
      owners = Arrays.copyOf(owners, 2 * size);
    }
    int k = startingBefore(s.address());
    shift(k, k + 1, size - k);
    starts[k] = s.address();
    ends[k] = s.address() + s.byteSize();
    segments[k] = s;
    owners[k] = owner;
    size++;
  }

  /** Replaces {@code old} (registered, or empty) with {@code replacement}, cleared likewise. */
  void replace(MemorySegment old, MemorySegment replacement, Parameter owner) {
    if (old.byteSize() > 0) {
      int k = startingBefore(old.address());
      // an interval dropped as dead may have left no entry
      if (k < size && segments[k] == old) {
        remove(k);
      }
    }
    add(replacement, owner);
  }

  /** How many intervals start before {@code address}: where one starting there would go. */
  private int startingBefore(long address) {
    int low = 0;
    int high = size;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (starts[mid] < address) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  private void remove(int k) {
    shift(k + 1, k, size - k - 1);
    size--;
    segments[size] = null;
    owners[size] = null;
  }

  private void shift(int from, int to, int count) {
    System.arraycopy(starts, from, starts, to, count);
    System.arraycopy(ends, from, ends, to, count);
    System.arraycopy(segments, from, segments, to, count);
    System.arraycopy(owners, from, owners, to, count);
  }
}
