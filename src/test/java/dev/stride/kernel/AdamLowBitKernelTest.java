package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stride.kernel.AdamLowBitKernel.ParameterStorage;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The low-precision Adam's vector kernel writes its reference's bits, for every state format, both
 * references' arithmetic and every parameter storage: parameters, master copies, codes, scales and
 * plain moments after every step, under each step term. The data mixes raw bit patterns (NaN, ±Inf,
 * ±0, subnormals) with training's magnitudes, stored codes with scales of every kind, and blocks of
 * zeros (parameters, gradients, codes and scales), blocks whose gradients are tiny but for one
 * outlier, at block sizes that leave a scalar tail in each block, with bitsandbytes' partial last
 * block, a slice that starts blocks into the buffer, and at the usual vector widths.
 */
class AdamLowBitKernelTest {
  private static final int LANES = KernelHarness.LANES;

  /** The formats of the first moment a case can have; the second's follows. */
  enum Moments {
    F32(StateFormat.F32, false),
    BF16(StateFormat.BF16, false),
    Q8(StateFormat.Q8_SIGNED, false),
    Q4(StateFormat.Q4_SIGNED, false),
    FP8(StateFormat.FP8, false),
    BNB8(StateFormat.BNB8_SIGNED, true),
    BNB_F32(StateFormat.F32, true);

    final StateFormat format;
    final boolean bitsandbytes;

    Moments(StateFormat format, boolean bitsandbytes) {
      this.format = format;
      this.bitsandbytes = bitsandbytes;
    }
  }

  /** One kernel configuration, its hyperparameters and a seed for its data. */
  record Case(
      Moments moments,
      ParameterStorage storage,
      int block,
      boolean amsgrad,
      boolean decoupled,
      boolean maximize,
      double beta1,
      long seed) {

    AdamLowBitKernel.Coefficients coefficients(int s, double weightDecay) {
      var c = new AdamLowBitKernel.Coefficients();
      long step = 1 + (seed & 0xFF) + s;
      return moments.bitsandbytes
          ? c.setBitsandbytes(2e-3, beta1, 0.995, 1e-6, weightDecay, decoupled, maximize, step)
          : c.setTorchao(2e-3, beta1, 0.995, 1e-6, weightDecay, decoupled, amsgrad, maximize, step);
    }

    boolean quantized() {
      return moments.format.quantized();
    }
  }

  @Property(tries = 60)
  void vectorMatchesScalarBitForBit(@ForAll("cases") Case c) {
    Data d = Data.of(c);
    for (KernelHarness.StepTerms terms : KernelHarness.STEP_TERMS) {
      for (double weightDecay : new double[] {0, 0.05}) {
        try (Arena arena = Arena.ofConfined()) {
          Buffers scalar = new Buffers(arena, c, d);
          Buffers vector = new Buffers(arena, c, d);
          for (int s = 0; s < d.grads.length; s++) {
            scalar.step(KernelHarness.SCALAR, c, d, s, weightDecay, terms);
            vector.step(KernelHarness.VECTOR, c, d, s, weightDecay, terms);
            String what = c + ", " + terms + ", weight decay " + weightDecay + ", step " + (s + 1);
            scalar.assertSameAs(vector, what);
          }
        }
      }
    }
  }

  @Property(tries = 15)
  void updatesOnlyItsSlice(@ForAll("cases") Case c) {
    Data d = Data.of(c);
    for (KernelSet kernels : List.of(KernelHarness.SCALAR, KernelHarness.VECTOR)) {
      try (Arena arena = Arena.ofConfined()) {
        Buffers b = new Buffers(arena, c, d);
        Buffers untouched = new Buffers(arena, c, d);
        for (int s = 0; s < d.grads.length; s++) {
          b.step(kernels, c, d, s, 0.05, KernelHarness.STEP_TERMS.get(1));
        }
        b.assertUnchangedOutsideSlice(untouched, d, c + " with " + kernels);
      }
    }
  }

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<Moments> moments = Arbitraries.of(Moments.class);
    Arbitrary<ParameterStorage> storage = Arbitraries.of(ParameterStorage.class);
    // sizes that are and are not whole vectors, so blocks have a scalar tail
    Arbitrary<Integer> blocks = Arbitraries.of(2, 6, 16, 24, 32, 40, 64, 128, 256);
    return Combinators.combine(
            moments,
            storage,
            blocks,
            Arbitraries.of(false, true),
            Arbitraries.of(false, true),
            Arbitraries.of(false, true),
            Arbitraries.of(0.9, 0.3),
            Arbitraries.longs())
        .as(
            (m, st, block, amsgrad, decoupled, maximize, beta1, seed) ->
                new Case(
                    m,
                    st,
                    m.bitsandbytes ? StateFormat.BNB_BLOCK : block,
                    amsgrad && !m.bitsandbytes,
                    decoupled,
                    maximize,
                    beta1,
                    seed));
  }

  /** What one case's kernels start from: a parameter of {@code n} elements, a slice of it. */
  static final class Data {
    int n;
    int offset;
    int count;
    float[] param;
    float[] master;
    float[][] grads;
    byte[][] codes = new byte[3][];
    float[][] scales = new float[3][];
    float[][] plain = new float[3][];

    static Data of(Case c) {
      SplittableRandom r = new SplittableRandom(c.seed());
      Data d = new Data();
      int block = c.block();
      if (c.moments().format.partialBlocks()) {
        d.n = 1 + r.nextInt(3 * block + 17);
      } else if (c.quantized()) {
        d.n = block * (1 + r.nextInt(Math.max(1, 512 / block)));
      } else {
        d.n = r.nextInt(8) == 0 ? 1000 + r.nextInt(3000) : r.nextInt(4 * LANES + 4);
      }
      // the slice starts on a block and ends on one or at the end
      int unit = c.quantized() ? block : 1;
      int units = (d.n + unit - 1) / unit;
      int first = units == 0 ? 0 : r.nextInt(units);
      int last = first + r.nextInt(units - first + 1);
      d.offset = first * unit;
      d.count = Math.min(last * unit, d.n) - d.offset;
      d.param = floats(r, d.n);
      d.master = floats(r, d.n);
      int steps = 1 + r.nextInt(4);
      d.grads = new float[steps][];
      for (int s = 0; s < steps; s++) {
        d.grads[s] = floats(r, d.n);
      }
      StateFormat f = c.moments().format;
      for (int k = 0; k < 3; k++) {
        StateFormat fk = k == 0 ? f : f.unsigned();
        int blocksOf = (int) fk.scaleCount(d.n, block);
        d.codes[k] = new byte[(int) fk.valueBytes(d.n)];
        r.nextBytes(d.codes[k]);
        d.scales[k] = new float[blocksOf];
        for (int b = 0; b < blocksOf; b++) {
          d.scales[k][b] =
              r.nextInt(4) == 0 ? special(r) : (float) Math.scalb(r.nextDouble(), -r.nextInt(30));
        }
        d.plain[k] = floats(r, d.n);
      }
      d.shapeBlocks(c, r);
      return d;
    }

    /** Some blocks all zeros, some tiny gradients with one outlier. */
    private void shapeBlocks(Case c, SplittableRandom r) {
      int block = Math.max(c.block(), 8);
      for (int start = 0; start < n; start += block) {
        int end = Math.min(n, start + block);
        int kind = r.nextInt(4);
        if (kind == 0) {
          for (int i = start; i < end; i++) {
            param[i] = 0;
            master[i] = 0;
            for (float[] g : grads) {
              g[i] = 0;
            }
            for (int k = 0; k < 3; k++) {
              plain[k][i] = 0;
            }
          }
          if (c.quantized()) {
            for (int k = 0; k < 3; k++) {
              StateFormat fk = k == 0 ? c.moments().format : c.moments().format.unsigned();
              int b = start / c.block();
              if (b < scales[k].length) {
                scales[k][b] = 0;
              }
              long from = fk.valueBytes(start);
              long to = fk.valueBytes(end);
              for (long at = from; at < to; at++) {
                codes[k][(int) at] = 0;
              }
            }
          }
        } else if (kind == 1) {
          for (float[] g : grads) {
            for (int i = start; i < end; i++) {
              g[i] = (float) (r.nextGaussian() * 1e-4);
            }
            g[start + r.nextInt(end - start)] = r.nextBoolean() ? 50 : -50;
          }
        }
      }
    }

    private static float[] floats(SplittableRandom r, int n) {
      float[] out = new float[n];
      for (int i = 0; i < n; i++) {
        out[i] =
            switch (r.nextInt(12)) {
              case 0, 1 -> Float.intBitsToFloat(r.nextInt());
              case 2 -> Float.intBitsToFloat(r.nextInt(0x00800000) | (r.nextInt(2) << 31));
              case 3 -> special(r);
              default -> (float) ((r.nextDouble() * 2 - 1) * Math.pow(10, r.nextInt(-8, 4)));
            };
      }
      return out;
    }

    private static float special(SplittableRandom r) {
      float[] s = {
        0f,
        -0f,
        Float.NaN,
        Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY,
        Float.MIN_VALUE,
        -Float.MIN_VALUE,
        Float.MIN_NORMAL,
        Float.MAX_VALUE,
        -Float.MAX_VALUE
      };
      return s[r.nextInt(s.length)];
    }
  }

  /** Native copies of a case's data: what one kernel reads and writes. */
  static final class Buffers {
    final MemorySegment value;
    final MemorySegment master;
    final MemorySegment grad;
    final StateBuffer[] moments = new StateBuffer[3];
    final boolean bf16;

    Buffers(Arena arena, Case c, Data d) {
      bf16 = c.storage() != ParameterStorage.F32;
      value = arena.allocate((long) d.n * (bf16 ? 2 : 4), 64);
      for (int i = 0; i < d.n; i++) {
        if (bf16) {
          value.setAtIndex(JAVA_SHORT, i, (short) (Float.floatToRawIntBits(d.param[i]) >>> 16));
        } else {
          value.setAtIndex(JAVA_FLOAT, i, d.param[i]);
        }
      }
      master = arena.allocate((long) d.n * 4, 64);
      MemorySegment.copy(d.master, 0, master, JAVA_FLOAT, 0, d.n);
      grad = arena.allocate((long) d.n * 4, 64);
      for (int k = 0; k < 3; k++) {
        StateFormat f = k == 0 ? c.moments().format : c.moments().format.unsigned();
        MemorySegment values = arena.allocate(Math.max(1, f.valueBytes(d.n)), 64);
        MemorySegment scales = arena.allocate(Math.max(4, 4L * d.scales[k].length), 64);
        if (f.quantized()) {
          MemorySegment.copy(d.codes[k], 0, values, JAVA_BYTE, 0, d.codes[k].length);
          MemorySegment.copy(d.scales[k], 0, scales, JAVA_FLOAT, 0, d.scales[k].length);
        } else {
          for (int i = 0; i < d.n; i++) { // raw bits, NaN payloads included
            int bits = Float.floatToRawIntBits(d.plain[k][i]);
            if (f == StateFormat.F32) {
              values.setAtIndex(JAVA_FLOAT, i, d.plain[k][i]);
            } else {
              values.setAtIndex(JAVA_SHORT, i, (short) (bits >>> 16));
            }
          }
        }
        moments[k] = new StateBuffer(f, values, scales, c.block(), d.n);
      }
    }

    void step(
        KernelSet kernels,
        Case c,
        Data d,
        int s,
        double weightDecay,
        KernelHarness.StepTerms terms) {
      MemorySegment.copy(d.grads[s], 0, grad, JAVA_FLOAT, 0, d.n);
      var coefficients = c.coefficients(s, weightDecay);
      coefficients.setStepTerms(terms.gradScale(), terms.clipValue(), terms.l1());
      kernels
          .get(AdamLowBitKernel.class)
          .update(
              coefficients,
              c.storage(),
              value,
              master,
              RoundingNoise.key(c.seed(), s + 1),
              grad,
              moments[0],
              moments[1],
              c.amsgrad() ? moments[2] : null,
              d.offset,
              d.count);
    }

    /** The outputs, each as a list of named element readings. */
    List<Output> outputs() {
      List<Output> out = new ArrayList<>();
      out.add(new Output("param", value, bf16 ? Output.Kind.BF16 : Output.Kind.F32, null));
      out.add(new Output("master", master, Output.Kind.F32, null));
      for (int k = 0; k < 3; k++) {
        StateBuffer b = moments[k];
        String name = "moment " + k;
        if (b.format.quantized()) {
          out.add(new Output(name + " codes", b.values, Output.Kind.BYTES, b));
          out.add(new Output(name + " scales", b.scales, Output.Kind.F32, b));
        } else {
          Output.Kind kind = b.format == StateFormat.F32 ? Output.Kind.F32 : Output.Kind.BF16;
          out.add(new Output(name, b.values, kind, b));
        }
      }
      return out;
    }

    void assertSameAs(Buffers other, String what) {
      List<Output> mine = outputs();
      List<Output> theirs = other.outputs();
      for (int k = 0; k < mine.size(); k++) {
        Output a = mine.get(k);
        Output b = theirs.get(k);
        for (long i = 0, n = a.size(); i < n; i++) {
          if (a.read(i) != b.read(i)) {
            fail(
                String.format(
                    "%s, %d lanes: %s[%d] is 0x%x scalar but 0x%x vector",
                    what, LANES, a.name(), i, a.read(i), b.read(i)));
          }
        }
      }
    }

    /** Nothing outside the slice changed: the elements, bytes and scales before and after it. */
    void assertUnchangedOutsideSlice(Buffers before, Data d, String what) {
      List<Output> now = outputs();
      List<Output> then = before.outputs();
      for (int k = 0; k < now.size(); k++) {
        Output a = now.get(k);
        Output b = then.get(k);
        long[] inside = a.slice(d);
        for (long i = 0, n = a.size(); i < n; i++) {
          boolean in = i >= inside[0] && i < inside[1];
          if (!in && a.raw(i) != b.raw(i)) {
            fail(what + ": " + a.name() + "[" + i + "] outside the slice changed");
          }
        }
      }
      float[] last = d.grads[d.grads.length - 1];
      for (int i = 0; i < d.n; i++) {
        if (Float.floatToRawIntBits(grad.getAtIndex(JAVA_FLOAT, i))
            != Float.floatToRawIntBits(last[i])) {
          fail(what + ": the gradient changed at " + i);
        }
      }
    }
  }

  /** One output buffer read element by element: floats compare as floatToIntBits (NaN = NaN). */
  record Output(String name, MemorySegment segment, Kind kind, StateBuffer buffer) {
    enum Kind {
      F32,
      BF16,
      BYTES
    }

    long size() {
      return switch (kind) {
        case F32 -> segment.byteSize() / 4;
        case BF16 -> segment.byteSize() / 2;
        case BYTES -> segment.byteSize();
      };
    }

    long read(long i) {
      return switch (kind) {
        case F32 -> Float.floatToIntBits(segment.getAtIndex(JAVA_FLOAT, i));
        case BF16 ->
            Float.floatToIntBits(StateCodes.bf16ToFloat(segment.getAtIndex(JAVA_SHORT, i)));
        case BYTES -> segment.get(JAVA_BYTE, i);
      };
    }

    long raw(long i) {
      return switch (kind) {
        case F32 -> Float.floatToRawIntBits(segment.getAtIndex(JAVA_FLOAT, i));
        case BF16 -> segment.getAtIndex(JAVA_SHORT, i);
        case BYTES -> segment.get(JAVA_BYTE, i);
      };
    }

    /** The indices of this output that the slice may write. */
    long[] slice(Data d) {
      StateBuffer b = buffer;
      long from = d.offset;
      long to = d.offset + (long) d.count;
      if (name.endsWith("codes")) {
        return new long[] {b.format.valueBytes(from), b.format.valueBytes(to)};
      }
      if (name.endsWith("scales")) {
        return new long[] {from / b.block, (to + b.block - 1) / b.block};
      }
      return new long[] {from, to};
    }
  }
}
