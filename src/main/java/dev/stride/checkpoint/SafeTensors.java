package dev.stride.checkpoint;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON (padded
 * with spaces to a multiple of 8, so the data starts 8-byte aligned), then the tensors' raw
 * little-endian bytes. The JSON maps each tensor's name to its {@code dtype}, {@code shape} and
 * {@code data_offsets} (begin and end, relative to the data) and {@code __metadata__} to a map of
 * strings. Reading checks everything a damaged or hostile file could get wrong before a byte of
 * data is used: the length against the file and {@link Checkpoint#MAX_HEADER_BYTES}, the JSON, each
 * tensor's byte count against its shape and dtype, and that the tensors tile the data exactly (no
 * overlap, no hole, nothing past the end or after the last).
 */
final class SafeTensors {
  /** The element types Stride reads and writes. */
  enum DType {
    F32(4),
    F64(8),
    I64(8),
    BF16(2),
    U8(1),
    F8_E4M3(1);

    final int bytes;

    DType(int bytes) {
      this.bytes = bytes;
    }
  }

  /** One tensor of the header; {@code begin} and {@code end} are offsets into the data. */
  record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    long elements() {
      return (end - begin) / dtype.bytes;
    }

    String describe() {
      return name + " (" + dtype + " " + java.util.Arrays.toString(shape) + ")";
    }
  }

  /** A parsed header: the metadata, the tensors in data order, and the raw header bytes. */
  record Header(Map<String, String> metadata, List<Entry> entries, byte[] bytes) {
    /** Where the data starts in the file. */
    long dataStart() {
      return Long.BYTES + bytes.length;
    }
  }

  /** A tensor to write: {@code data} holds its bytes in native (little-endian) order. */
  record Output(String name, DType dtype, long[] shape, MemorySegment data) {}

  static final String METADATA = "__metadata__";

  /** Bytes written per call and checksummed before it: the chunk is in cache when written. */
  private static final long CHUNK = 8 << 20;

  private SafeTensors() {}

  /** Refuses a big-endian JVM: the data is copied as bytes, which are little-endian in the file. */
  static void checkByteOrder() throws CheckpointException {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new CheckpointException(
          "checkpoints are read and written on little-endian machines only;"
              + " this JVM is "
              + ByteOrder.nativeOrder());
    }
  }

  /**
   * Reads and checks the header of the file open on {@code channel}, of {@code size} bytes.
   *
   * @throws CheckpointException if it is not a well-formed safetensors file of this size
   */
  static Header readHeader(FileChannel channel, long size) throws IOException {
    if (size < Long.BYTES) {
      throw new CheckpointException(
          "the file has "
              + size
              + " bytes: a safetensors file starts with"
              + " an 8-byte header length (truncated?)");
    }
    ByteBuffer length = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, length, 0);
    long n = length.getLong(0); // unsigned: a negative long is beyond any limit
    if (n < 0 || n > Checkpoint.MAX_HEADER_BYTES) {
      throw new CheckpointException(
          "the header length is "
              + Long.toUnsignedString(n)
              + " bytes, more than the "
              + Checkpoint.MAX_HEADER_BYTES
              + " a checkpoint may have");
    }
    if (n > size - Long.BYTES) {
      throw new CheckpointException(
          "the header length is "
              + n
              + " bytes but the file has only "
              + (size - Long.BYTES)
              + " after it (truncated?)");
    }
    ByteBuffer bytes = ByteBuffer.allocate((int) n);
    readFully(channel, bytes, Long.BYTES);
    Header header = parse(bytes.array());
    checkLayout(header.entries(), size - header.dataStart());
    return header;
  }

  private static void readFully(FileChannel channel, ByteBuffer into, long position)
      throws IOException {
    while (into.hasRemaining()) {
      if (channel.read(into, position + into.position()) < 0) {
        throw new CheckpointException("the file ended while reading its header (truncated?)");
      }
    }
  }

  /**
   * The header's tensors and metadata, parsed as a stream: each tensor is kept as a small record,
   * so even a header at the size limit needs a few hundred MB at most.
   */
  static Header parse(byte[] bytes) throws CheckpointException {
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    try (JsonParser p = Json.FACTORY.createParser(bytes)) {
      expect(p, p.nextToken(), JsonToken.START_OBJECT, "the header");
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String name = p.currentName();
        if (name.equals(METADATA)) {
          expect(p, p.nextToken(), JsonToken.START_OBJECT, METADATA);
          for (JsonToken m = p.nextToken(); m != JsonToken.END_OBJECT; m = p.nextToken()) {
            String key = p.currentName();
            expect(p, p.nextToken(), JsonToken.VALUE_STRING, METADATA + " value " + key);
            metadata.put(key, p.getText());
          }
        } else {
          entries.add(entry(p, name));
        }
      }
      if (p.nextToken() != null) {
        throw new CheckpointException(
            "the header has more after its JSON object, at " + p.currentLocation());
      }
    } catch (JacksonException e) {
      throw new CheckpointException(
          "the header is not valid JSON: " + e.getOriginalMessage() + " at " + e.getLocation(), e);
    } catch (CheckpointException e) {
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array has no I/O
    }
    return new Header(metadata, entries, bytes);
  }

  private static Entry entry(JsonParser p, String name) throws IOException {
    expect(p, p.nextToken(), JsonToken.START_OBJECT, "tensor " + name);
    DType dtype = null;
    long[] shape = null;
    long[] offsets = null;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      String field = p.currentName();
      switch (field) {
        case "dtype" -> {
          expect(p, p.nextToken(), JsonToken.VALUE_STRING, name + " dtype");
          String code = p.getText();
          try {
            dtype = DType.valueOf(code);
          } catch (IllegalArgumentException e) {
            throw new CheckpointException(
                "tensor "
                    + name
                    + " has dtype "
                    + code
                    + "; Stride reads F32, F64, I64, BF16, U8 and F8_E4M3");
          }
        }
        case "shape" -> shape = integers(p, name + " shape", -1);
        case "data_offsets" -> offsets = integers(p, name + " data_offsets", 2);
        default ->
            throw new CheckpointException(
                "tensor "
                    + name
                    + " has an unknown field "
                    + field
                    + "; safetensors has dtype, shape and data_offsets");
      }
    }
    if (dtype == null || shape == null || offsets == null) {
      throw new CheckpointException(
          "tensor "
              + name
              + " lacks "
              + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
    }
    long begin = offsets[0];
    long end = offsets[1];
    long elements = 1;
    try {
      for (long d : shape) {
        elements = Math.multiplyExact(elements, d);
      }
      if (end < begin || Math.multiplyExact(elements, dtype.bytes) != end - begin) {
        throw new CheckpointException(
            "tensor "
                + name
                + " of dtype "
                + dtype
                + " and shape "
                + java.util.Arrays.toString(shape)
                + " needs "
                + Math.multiplyExact(elements, dtype.bytes)
                + " bytes, its data_offsets ["
                + begin
                + ", "
                + end
                + "] give "
                + (end - begin));
      }
    } catch (ArithmeticException e) {
      throw new CheckpointException(
          "tensor "
              + name
              + "'s shape "
              + java.util.Arrays.toString(shape)
              + " has more elements than a file can hold");
    }
    return new Entry(name, dtype, shape, begin, end);
  }

  /** A JSON array of non-negative integers, of {@code length} of them unless that is negative. */
  private static long[] integers(JsonParser p, String what, int length) throws IOException {
    expect(p, p.nextToken(), JsonToken.START_ARRAY, what);
    List<Long> values = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      expect(p, t, JsonToken.VALUE_NUMBER_INT, what);
      long v = p.getLongValue();
      if (v < 0) {
        throw new CheckpointException(what + " has a negative value " + v);
      }
      if (values.size() == 64) {
        throw new CheckpointException(what + " has more than 64 values");
      }
      values.add(v);
    }
    if (length >= 0 && values.size() != length) {
      throw new CheckpointException(
          what + " must have " + length + " values, has " + values.size());
    }
    return values.stream().mapToLong(Long::longValue).toArray();
  }

  private static void expect(JsonParser p, JsonToken got, JsonToken wanted, String what)
      throws CheckpointException {
    if (got != wanted) {
      throw new CheckpointException(
          what
              + " must be "
              + describe(wanted)
              + ", got "
              + (got == null ? "the end" : describe(got))
              + " at "
              + p.currentLocation());
    }
  }

  private static String describe(JsonToken t) {
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      default -> t.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** The tensors, sorted by begin, must tile {@code [0, dataBytes)}: no overlap, no hole. */
  private static void checkLayout(List<Entry> entries, long dataBytes) throws CheckpointException {
    entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long at = 0;
    Entry previous = null;
    for (Entry e : entries) {
      if (e.begin() < at) {
        throw new CheckpointException(
            "tensor "
                + e.name()
                + "'s data ["
                + e.begin()
                + ", "
                + e.end()
                + ") overlaps "
                + previous.name()
                + "'s ["
                + previous.begin()
                + ", "
                + previous.end()
                + ")");
      }
      if (e.begin() > at) {
        throw new CheckpointException(
            "the data has a hole of "
                + (e.begin() - at)
                + " bytes before "
                + e.name()
                + " at "
                + at);
      }
      if (e.end() > dataBytes) {
        throw new CheckpointException(
            "tensor "
                + e.name()
                + " ends at byte "
                + e.end()
                + " of the data, which has "
                + dataBytes
                + " (truncated?)");
      }
      at = e.end();
      previous = e;
    }
    if (at != dataBytes) {
      throw new CheckpointException(
          "the tensors end at byte "
              + at
              + " of the data, which has "
              + dataBytes
              + ": the file has "
              + (dataBytes - at)
              + " bytes after the last tensor");
    }
  }

  /** CRC32C of {@code bytes}, a chunk at a time. */
  static int crc32c(MemorySegment bytes) {
    CRC32C crc = new CRC32C();
    for (long at = 0, size = bytes.byteSize(); at < size; at += CHUNK) {
      crc.update(bytes.asSlice(at, Math.min(CHUNK, size - at)).asByteBuffer());
    }
    return (int) crc.getValue();
  }

  static String hex(int crc) {
    return String.format("%08x", crc);
  }

  /** Offsets of {@code tensors} in order: 8-byte types first, so every tensor is aligned. */
  static List<Output> inDataOrder(List<Output> tensors) {
    List<Output> sorted = new ArrayList<>(tensors);
    sorted.sort(Comparator.comparingInt((Output o) -> -o.dtype().bytes));
    return sorted;
  }

  /**
   * The header JSON of {@code tensors} (in data order) and {@code metadata}, padded with spaces to
   * a multiple of 8.
   */
  static byte[] header(List<Output> tensors, Map<String, String> metadata) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeFieldName(METADATA);
      Json.write(g, metadata);
      long at = 0;
      for (Output t : tensors) {
        g.writeFieldName(t.name());
        g.writeStartObject();
        g.writeStringField("dtype", t.dtype().name());
        g.writeFieldName("shape");
        g.writeArray(t.shape(), 0, t.shape().length);
        g.writeFieldName("data_offsets");
        g.writeArray(new long[] {at, at + t.data().byteSize()}, 0, 2);
        g.writeEndObject();
        at += t.data().byteSize();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array has no I/O
    }
    while (out.size() % 8 != 0) {
      out.write(' ');
    }
    return out.toByteArray();
  }

  /**
   * Writes {@code tensors} (in data order) from {@code position} on, each a chunk at a time, and
   * returns each one's CRC32C, computed on the chunk just before it is written.
   */
  static Map<String, String> writeData(FileChannel channel, long position, List<Output> tensors)
      throws IOException {
    Map<String, String> crcs = new LinkedHashMap<>();
    for (Output t : tensors) {
      CRC32C crc = new CRC32C();
      MemorySegment data = t.data();
      for (long at = 0, size = data.byteSize(); at < size; at += CHUNK) {
        ByteBuffer chunk = data.asSlice(at, Math.min(CHUNK, size - at)).asByteBuffer();
        crc.update(chunk.duplicate());
        writeFully(channel, chunk, position);
        position += chunk.limit();
      }
      crcs.put(t.name(), hex((int) crc.getValue()));
    }
    return crcs;
  }

  static void writeFully(FileChannel channel, ByteBuffer from, long position) throws IOException {
    while (from.hasRemaining()) {
      position += channel.write(from, position);
    }
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
