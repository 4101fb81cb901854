package dev.stride.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * How a step's work is cut: every parameter into chunks of at most {@link #CHUNK} floats, which
 * never cross a parameter's end nor a multiple of its chunk size on its grid ({@link
 * Parameter#gridPhase}: a tensor's own start, or a slab's, so that a shard of a slab is cut as the
 * whole slab is); consecutive chunks into units of about {@link #CHUNK} floats, which threads take
 * one at a time. The chunk size is {@link #CHUNK}, but for a parameter whose quantized state has
 * blocks that do not divide it: whole blocks then (at least one). The cut depends on the parameters
 * alone, not on the number of threads, so per-chunk results combine to the same totals for any
 * thread count. Made when parameters are registered, not per step.
 */
final class StepPlan {
  /**
   * Floats per chunk: 64 KiB of each buffer, so that Adam's four stay in a core's L2 while a
   * chunk's reductions read them again; a multiple of 16, so two threads write one cache line only
   * where a parameter itself does not start on one.
   */
  static final int CHUNK = 1 << 14;

  final Parameter[] parameters;

  /** Parameter j's chunks are {@code [firstChunk[j], firstChunk[j + 1])}. */
  final int[] firstChunk;

  final int[] chunkParameter;
  final long[] chunkOffset;
  final long[] chunkCount;

  /** Unit u's chunks are {@code [unitStart[u], unitEnd[u])}. */
  private final int[] unitStart;

  private final int[] unitEnd;

  /** Units with confined memory, which only the calling thread may touch. */
  final int[] callerUnits;

  /** Units any thread may take. */
  final int[] sharedUnits;

  final long elements;

  StepPlan(List<Parameter> parameters) {
    this.parameters = parameters.toArray(Parameter[]::new);
    firstChunk = new int[this.parameters.length + 1];
    int chunks = 0;
    long elements = 0;
    for (int j = 0; j < this.parameters.length; j++) {
      Parameter p = this.parameters[j];
      firstChunk[j] = chunks;
      long size = chunkSize(p);
      // the grid cells it touches (gridPhase < size: a slab's tensors keep whole-block chunks)
      chunks += p.count == 0 ? 0 : Math.toIntExact((p.gridPhase + p.count + size - 1) / size);
      elements += p.count;
    }
    firstChunk[this.parameters.length] = chunks;
    this.elements = elements;
    chunkParameter = new int[chunks];
    chunkOffset = new long[chunks];
    chunkCount = new long[chunks];
    List<int[]> caller = new ArrayList<>();
    List<int[]> shared = new ArrayList<>();
    int c = 0;
    int start = 0;
    long inUnit = 0;
    for (int j = 0; j < this.parameters.length; j++) {
      Parameter p = this.parameters[j];
      long size = chunkSize(p);
      for (long offset = 0, count; offset < p.count; offset += count, c++) {
        count = Math.min(size - (p.gridPhase + offset) % size, p.count - offset);
        boolean kindChanges =
            c > start && this.parameters[chunkParameter[start]].confined != p.confined;
        if (kindChanges || inUnit + count > CHUNK) {
          (this.parameters[chunkParameter[start]].confined ? caller : shared)
              .add(new int[] {start, c});
          start = c;
          inUnit = 0;
        }
        chunkParameter[c] = j;
        chunkOffset[c] = offset;
        chunkCount[c] = count;
        inUnit += count;
      }
    }
    if (c > start) {
      (this.parameters[chunkParameter[start]].confined ? caller : shared).add(new int[] {start, c});
    }
    int units = caller.size() + shared.size();
    unitStart = new int[units];
    unitEnd = new int[units];
    callerUnits = new int[caller.size()];
    sharedUnits = new int[shared.size()];
    int u = 0;
    for (int i = 0; i < caller.size(); i++, u++) {
      unitStart[u] = caller.get(i)[0];
      unitEnd[u] = caller.get(i)[1];
      callerUnits[i] = u;
    }
    for (int i = 0; i < shared.size(); i++, u++) {
      unitStart[u] = shared.get(i)[0];
      unitEnd[u] = shared.get(i)[1];
      sharedUnits[i] = u;
    }
  }

  /**
   * {@link #CHUNK}, or the most whole blocks of {@code p}'s state that fit in it (at least one).
   */
  static long chunkSize(Parameter p) {
    int block = p.chunkAlignment;
    return CHUNK % block == 0 ? CHUNK : Math.max(1, CHUNK / block) * (long) block;
  }

  int chunks() {
    return chunkParameter.length;
  }

  void runUnit(int unit, ChunkTask task, int worker) {
    for (int c = unitStart[unit], end = unitEnd[unit]; c < end; c++) {
      task.run(worker, c, parameters[chunkParameter[c]], chunkOffset[c], chunkCount[c]);
    }
  }

  /** Every chunk on the calling thread, in order. */
  void runAll(ChunkTask task) {
    for (int c = 0; c < chunkParameter.length; c++) {
      task.run(0, c, parameters[chunkParameter[c]], chunkOffset[c], chunkCount[c]);
    }
  }
}
