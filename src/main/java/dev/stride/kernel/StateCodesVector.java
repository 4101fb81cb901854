package dev.stride.kernel;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link StateCodes}' and {@link StateFormat}'s operations a vector at a time, for {@link
 * AdamLowBitVector}: bfloat16 loads and stores (both roundings), {@link RoundingNoise}'s draws,
 * codes of 8 and 4 bits loaded and stored, and the table look-ups that turn codes into values
 * ({@link StateFormat#value}) and values into codes ({@link CodeTable}). A look-up is a gather,
 * whose indices the Vector API reads from an {@code int[]}: the caller's, one per thread.
 */
final class StateCodesVector {
  static final VectorSpecies<Float> F = Vectors.F;
  static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  static final int LANES = F.length();
  private static final VectorSpecies<Short> S =
      VectorSpecies.of(short.class, VectorShape.forBitSize(LANES * Short.SIZE));

  /** A lane's byte: 8 lanes and more load bytes as a vector; 4 lanes load them as one int. */
  private static final VectorSpecies<Byte> B =
      LANES >= 8
          ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * Byte.SIZE))
          : ByteVector.SPECIES_64;

  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  /** Where lane e's byte sits in the int of 4 codes. */
  private static final int[] BYTE_SHIFTS = {0, 8, 16, 24};

  /**
   * Where lane e's nibble sits in a word of 4-bit codes (LANES / 2 bytes): byte e/2, the high half
   * for even e (torchao packs code[2j] &lt;&lt; 4 | code[2j+1]); lanes 8 to 15 in the upper int.
   */
  private static final int[] NIBBLE_SHIFTS = {
    4, 0, 12, 8, 20, 16, 28, 24, 4, 0, 12, 8, 20, 16, 28, 24
  };

  private static final boolean[] UPPER_HALF = {
    false, false, false, false, false, false, false, false, true, true, true, true, true, true,
    true, true
  };

  /** The tables of each quantized format, by ordinal; null for the plain ones. */
  private static final CodeTable[] TABLES = new CodeTable[StateFormat.values().length];

  static {
    for (StateFormat f : StateFormat.values()) {
      if (f.quantized()) {
        TABLES[f.ordinal()] = CodeTable.of(f);
      }
    }
  }

  private StateCodesVector() {}

  /** bfloat16 elements {@code [i, i + LANES)} as float32. */
  static FloatVector loadBf16(MemorySegment s, long i) {
    ShortVector h = ShortVector.fromMemorySegment(S, s, i * Short.BYTES, ORDER);
    return ((IntVector) h.convertShape(VectorOperators.S2I, I, 0))
        .lanewise(VectorOperators.LSHL, 16)
        .reinterpretAsFloats();
  }

  /** {@link StateCodes#bf16Nearest}, stored at elements {@code [i, i + LANES)}. */
  static void storeBf16Nearest(FloatVector x, MemorySegment s, long i) {
    IntVector u = x.reinterpretAsInts();
    IntVector rounded =
        u.add(0x7FFF)
            .add(u.lanewise(VectorOperators.LSHR, 16).and(1))
            .lanewise(VectorOperators.LSHR, 16)
            .blend(0x7FC0, x.test(VectorOperators.IS_NAN).cast(I));
    storeBf16Bits(rounded, s, i);
  }

  /** {@link StateCodes#bf16Stochastic} with {@code noise}, stored at {@code [i, i + LANES)}. */
  static void storeBf16Stochastic(FloatVector x, IntVector noise, MemorySegment s, long i) {
    IntVector u = x.reinterpretAsInts();
    IntVector truncated = u.and(0xFFFF0000);
    IntVector rounded =
        truncated
            .add(0x10000, noise.compare(VectorOperators.LT, u.and(0xFFFF)))
            .lanewise(VectorOperators.LSHR, 16);
    storeBf16Bits(rounded, s, i);
  }

  /** Given noise: unsigned shorts at elements {@code [i, i + LANES)}. */
  static IntVector loadNoise(MemorySegment s, long i) {
    ShortVector h = ShortVector.fromMemorySegment(S, s, i * Short.BYTES, ORDER);
    return (IntVector) h.convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0);
  }

  private static void storeBf16Bits(IntVector bits, MemorySegment s, long i) {
    ((ShortVector) bits.convertShape(VectorOperators.I2S, S, 0))
        .intoMemorySegment(s, i * Short.BYTES, ORDER);
  }

  /** {@link RoundingNoise#bits} of elements {@code [index, index + LANES)}. */
  static IntVector noise(long key, long index) {
    int low0 = (int) index;
    IntVector low = IntVector.broadcast(I, low0).addIndex(1);
    IntVector high =
        IntVector.broadcast(I, (int) (index >>> 32)).add(1, low.compare(VectorOperators.ULT, low0));
    IntVector h = fmix32(low.mul(RoundingNoise.WEYL).add((int) key));
    h =
        fmix32(
            h.lanewise(VectorOperators.XOR, high.mul(RoundingNoise.HIGH_WORD))
                .lanewise(VectorOperators.XOR, (int) (key >>> 32)));
    return h.lanewise(VectorOperators.LSHR, 16);
  }

  private static IntVector fmix32(IntVector h) {
    h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(0x85EBCA6B);
    h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 13)).mul(0xC2B2AE35);
    return h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16));
  }

  /** Stores elements {@code [i, i + LANES)} of a plain buffer. */
  static void storePlain(StateBuffer b, FloatVector y, long i) {
    if (b.format == StateFormat.F32) {
      Vectors.store(y, b.values, i);
    } else {
      storeBf16Nearest(y, b.values, i);
    }
  }

  /**
   * Stores the codes of {@code y[0, whole)}, the new values of elements {@code [start, start +
   * whole)} in a block of {@code scale}: {@link StateFormat#encode} through the format's table, in
   * two loops (table indices, then entries and codes), each small enough for C2 to compile whole.
   */
  static void encode(
      StateBuffer b, float[] y, long start, int whole, float scale, LowBitWorkspace w) {
    CodeTable t = TABLES[b.format.ordinal()];
    tableIndices(t, b.format == StateFormat.BNB8_SIGNED, y, whole, scale, w.keys, w.entries);
    if (b.format.bits() == 4) {
      for (int j = 0; j < whole; j += LANES) {
        storeCodes4(code(t, w.keys, w.entries, j), b.values, start + j);
      }
    } else {
      for (int j = 0; j < whole; j += LANES) {
        storeCodes8(code(t, w.keys, w.entries, j), b.values, start + j);
      }
    }
  }

  /**
   * {@link CodeTable#index} of each x = y / scale into {@code keys} (with x's sign bit, which a
   * float8 code takes), and the index of its table entry into {@code entries}: its bucket's, or for
   * NaN x the {@link CodeTable#nanEntry} that {@link StateFormat#nanCode} gives.
   */
  private static void tableIndices(
      CodeTable t,
      boolean bnbSigned,
      float[] y,
      int whole,
      float scale,
      int[] keys,
      int[] entries) {
    int range = t.high - t.low;
    for (int j = 0; j < whole; j += LANES) {
      FloatVector yv = FloatVector.fromArray(F, y, j);
      FloatVector x = yv.div(scale);
      IntVector bits = x.reinterpretAsInts();
      IntVector at;
      if (t.signed) {
        IntVector key =
            bits.lanewise(
                VectorOperators.XOR,
                bits.lanewise(VectorOperators.ASHR, 31).lanewise(VectorOperators.LSHR, 1));
        IntVector above = key.sub(t.low).max(0);
        IntVector below = key.add(t.low).min(-1);
        at = above.blend(below, key.compare(VectorOperators.LT, 0)).max(-range - 1).min(range);
      } else {
        at = bits.and(0x7FFFFFFF).sub(t.low).max(0).min(range);
      }
      VectorMask<Integer> nan = x.test(VectorOperators.IS_NAN).cast(I);
      IntVector entry = at.lanewise(VectorOperators.ASHR, CodeTable.SHIFT).add(t.negativeBuckets);
      if (bnbSigned) {
        IntVector which =
            IntVector.broadcast(I, 2)
                .blend(1, yv.compare(VectorOperators.GT, 0f).cast(I))
                .blend(0, yv.reinterpretAsInts().compare(VectorOperators.LT, 0))
                .blend(0, yv.test(VectorOperators.IS_NAN).cast(I));
        entry = entry.blend(which.add(t.nanEntry), nan);
      } else {
        entry = entry.blend(t.nanEntry, nan);
      }
      if (!t.signed) { // the sign goes in the key's top bit, which the offset never reaches
        at = at.or(bits.and(0x80000000).blend(0, nan));
      }
      at.intoArray(keys, j);
      entry.intoArray(entries, j);
    }
  }

  /** The codes of lanes {@code [j, j + LANES)} from their table indices and entries. */
  private static IntVector code(CodeTable t, int[] keys, int[] entries, int j) {
    IntVector at = IntVector.fromArray(I, keys, j);
    IntVector e = IntVector.fromArray(I, t.entries, 0, entries, j);
    IntVector code =
        e.lanewise(VectorOperators.LSHR, CodeTable.SHIFT + 1)
            .add(
                1,
                at.and(CodeTable.OFFSET_MASK)
                    .compare(VectorOperators.GE, e.and((1 << (CodeTable.SHIFT + 1)) - 1)));
    return t.signed
        ? code
        : code.or(at.lanewise(VectorOperators.LSHR, 31).lanewise(VectorOperators.LSHL, 7));
  }

  /** {@code values[codes]} by a gather. */
  static FloatVector lookup(float[] values, IntVector codes, int[] index) {
    codes.intoArray(index, 0);
    return FloatVector.fromArray(F, values, 0, index, 0);
  }

  /** The 8-bit codes of elements {@code [i, i + LANES)}. */
  static IntVector codes8(MemorySegment codes, long i) {
    if (LANES >= 8) {
      return (IntVector)
          ByteVector.fromMemorySegment(B, codes, i, ORDER)
              .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }
    return IntVector.broadcast(I, codes.get(JAVA_INT_UNALIGNED, i))
        .lanewise(VectorOperators.LSHR, IntVector.fromArray(I, BYTE_SHIFTS, 0))
        .and(0xFF);
  }

  static void storeCodes8(IntVector code, MemorySegment codes, long i) {
    if (LANES >= 8) {
      ((ByteVector) code.convertShape(VectorOperators.I2B, B, 0))
          .intoMemorySegment(codes, i, ORDER);
    } else {
      int word =
          code.lanewise(VectorOperators.LSHL, IntVector.fromArray(I, BYTE_SHIFTS, 0))
              .reduceLanes(VectorOperators.OR);
      codes.set(JAVA_INT_UNALIGNED, i, word);
    }
  }

  /** The 4-bit codes of elements {@code [i, i + LANES)}, i even: LANES / 2 bytes. */
  static IntVector codes4(MemorySegment codes, long i) {
    long at = i >>> 1;
    IntVector words;
    if (LANES == 16) {
      long word = codes.get(JAVA_LONG_UNALIGNED, at);
      words =
          IntVector.broadcast(I, (int) word)
              .blend((int) (word >>> 32), VectorMask.fromArray(I, UPPER_HALF, 0));
    } else if (LANES == 8) {
      words = IntVector.broadcast(I, codes.get(JAVA_INT_UNALIGNED, at));
    } else {
      words = IntVector.broadcast(I, codes.get(JAVA_SHORT_UNALIGNED, at) & 0xFFFF);
    }
    return words.lanewise(VectorOperators.LSHR, IntVector.fromArray(I, NIBBLE_SHIFTS, 0)).and(0xF);
  }

  static void storeCodes4(IntVector code, MemorySegment codes, long i) {
    long at = i >>> 1;
    IntVector placed =
        code.lanewise(VectorOperators.LSHL, IntVector.fromArray(I, NIBBLE_SHIFTS, 0));
    if (LANES == 16) {
      VectorMask<Integer> upper = VectorMask.fromArray(I, UPPER_HALF, 0);
      long low = placed.reduceLanes(VectorOperators.OR, upper.not()) & 0xFFFFFFFFL;
      long high = placed.reduceLanes(VectorOperators.OR, upper);
      codes.set(JAVA_LONG_UNALIGNED, at, low | high << 32);
    } else if (LANES == 8) {
      codes.set(JAVA_INT_UNALIGNED, at, placed.reduceLanes(VectorOperators.OR));
    } else {
      codes.set(JAVA_SHORT_UNALIGNED, at, (short) placed.reduceLanes(VectorOperators.OR));
    }
  }
}
