package dev.stride.checkpoint;

import dev.stride.checkpoint.SafeTensors.Entry;
import dev.stride.checkpoint.SafeTensors.Header;
import dev.stride.checkpoint.SafeTensors.Output;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file as a checkpoint keeps it, whatever it holds: written atomically (a temporary
 * file beside it, forced to disk, renamed over it, the directory forced), with each tensor's CRC32C
 * and the header's own in its metadata; read through a mapped segment, after its header, its layout
 * and its checksums are checked. A file without checksums (PyTorch's) reads as well; {@link
 * Contents#checksummed()} tells which it was.
 */
final class TensorFile {
  /** Each tensor's CRC32C as 8 hex digits (JSON). */
  static final String CRCS = "stride.crc32c";

  /** The header's CRC32C, with this value's 8 digits read as {@code 00000000}. */
  static final String HEADER_CRC = "stride.header_crc32c";

  private static final byte[] HEADER_CRC_FIELD = SafeTensors.ascii("\"" + HEADER_CRC + "\":\"");
  private static final String NO_CRC = "00000000";
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * A checked file, mapped: its header and its data, valid while the arena it was read in lives.
   */
  record Contents(Header header, MemorySegment data, boolean checksummed) {}

  private TensorFile() {}

  /**
   * Writes {@code tensors} and {@code metadata} to {@code file}, atomically: a crash leaves either
   * the previous file or the new one, whole. The data is written from the tensors' own memory.
   *
   * @throws IOException if writing fails; {@code file} is then as it was
   */
  static void write(Path file, List<Output> tensors, Map<String, String> metadata)
      throws IOException {
    SafeTensors.checkByteOrder();
    List<Output> ordered = SafeTensors.inDataOrder(tensors);
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Map<String, String> placeholders = new LinkedHashMap<>();
    ordered.forEach(t -> placeholders.put(t.name(), NO_CRC));
    int headerLength = header(ordered, metadata, placeholders).length;
    if (headerLength > Checkpoint.MAX_HEADER_BYTES) {
      throw new CheckpointException(
          "cannot save "
              + file
              + ": its header would have "
              + headerLength
              + " bytes, more than "
              + Checkpoint.MAX_HEADER_BYTES);
    }
    // beside the file, so the rename stays on one file system; made as any new file is (not
    // createTempFile, whose owner-only permissions the checkpoint would keep)
    Path temporary =
        dir.resolve(
            "." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
    boolean moved = false;
    try {
      try (FileChannel channel =
          FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        Map<String, String> crcs =
            SafeTensors.writeData(channel, Long.BYTES + headerLength, ordered);
        byte[] header = header(ordered, metadata, crcs);
        if (header.length != headerLength) {
          throw new IllegalStateException("the header changed length with its checksums");
        }
        ByteBuffer start =
            ByteBuffer.allocate(Long.BYTES + header.length).order(ByteOrder.LITTLE_ENDIAN);
        start.putLong(header.length).put(header).flip();
        SafeTensors.writeFully(channel, start, 0);
        channel.force(true);
      }
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      moved = true;
      forceDirectory(dir);
    } finally {
      if (!moved) {
        Files.deleteIfExists(temporary);
      }
    }
  }

  /**
   * Maps the file open on {@code channel} in {@code arena} and checks its header, its layout and,
   * where it has them, its checksums.
   *
   * @throws CheckpointException if the file is damaged, saying what is wrong
   */
  static Contents read(FileChannel channel, Arena arena) throws IOException {
    SafeTensors.checkByteOrder();
    long size = channel.size();
    Header header = SafeTensors.readHeader(channel, size);
    MemorySegment data =
        channel.map(
            FileChannel.MapMode.READ_ONLY, header.dataStart(), size - header.dataStart(), arena);
    return new Contents(header, data, checkChecksums(header, data));
  }

  /** The header with the tensors' checksums {@code crcs} and its own CRC32C in place. */
  private static byte[] header(
      List<Output> tensors, Map<String, String> metadata, Map<String, String> crcs)
      throws CheckpointException {
    Map<String, String> complete = new LinkedHashMap<>(metadata);
    complete.put(CRCS, Json.write(crcs));
    complete.put(HEADER_CRC, NO_CRC);
    byte[] header = SafeTensors.header(tensors, complete);
    int at = headerCrcAt(header);
    byte[] crc =
        SafeTensors.ascii(SafeTensors.hex(SafeTensors.crc32c(MemorySegment.ofArray(header))));
    System.arraycopy(crc, 0, header, at, crc.length);
    return header;
  }

  /** Where the 8 digits of the header's own checksum are; -1 if it has none. */
  private static int headerCrcAt(byte[] header) throws CheckpointException {
    int found = -1;
    for (int i = 0; i + HEADER_CRC_FIELD.length + NO_CRC.length() <= header.length; i++) {
      if (Arrays.equals(
          header, i, i + HEADER_CRC_FIELD.length, HEADER_CRC_FIELD, 0, HEADER_CRC_FIELD.length)) {
        if (found >= 0) {
          throw new CheckpointException("the header names " + HEADER_CRC + " twice");
        }
        found = i + HEADER_CRC_FIELD.length;
      }
    }
    return found;
  }

  /** Makes the rename durable where the system allows a directory to be forced (not Windows). */
  private static void forceDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // the file itself is on disk; only the rename might not survive a crash
    }
  }

  /** Checks the CRCs a Stride file carries; returns false for a file without (PyTorch's). */
  private static boolean checkChecksums(Header header, MemorySegment data)
      throws CheckpointException {
    String crcs = header.metadata().get(CRCS);
    int at = headerCrcAt(header.bytes());
    if (crcs == null && at < 0) {
      return false;
    }
    if (crcs == null || at < 0 || !header.metadata().containsKey(HEADER_CRC)) {
      throw new CheckpointException(
          "it has "
              + (crcs == null ? "no " + CRCS : "no " + HEADER_CRC)
              + " though it has the other");
    }
    byte[] zeroed = header.bytes().clone();
    System.arraycopy(SafeTensors.ascii(NO_CRC), 0, zeroed, at, NO_CRC.length());
    String recorded = new String(header.bytes(), at, NO_CRC.length(), StandardCharsets.UTF_8);
    String actual = SafeTensors.hex(SafeTensors.crc32c(MemorySegment.ofArray(zeroed)));
    if (!actual.equals(recorded)) {
      throw new CheckpointException(
          "the header's CRC32C is "
              + actual
              + ", not the "
              + recorded
              + " recorded: the header is damaged");
    }
    Map<String, Object> expected = Json.object(Json.parse(crcs, CRCS), CRCS);
    Map<String, Entry> entries = new HashMap<>();
    header.entries().forEach(e -> entries.put(e.name(), e));
    for (String name : expected.keySet()) {
      if (!entries.containsKey(name)) {
        throw new CheckpointException("tensor " + name + " is missing: the checksums list it");
      }
    }
    for (Entry e : header.entries()) {
      Object crc = expected.get(e.name());
      if (crc == null) {
        throw new CheckpointException("tensor " + e.name() + " has no checksum in " + CRCS);
      }
      String got =
          SafeTensors.hex(SafeTensors.crc32c(data.asSlice(e.begin(), e.end() - e.begin())));
      if (!got.equals(crc)) {
        throw new CheckpointException(
            "tensor "
                + e.name()
                + "'s CRC32C is "
                + got
                + ", not the "
                + crc
                + " recorded: its data is damaged");
      }
    }
    return true;
  }
}
