package dev.stride.checkpoint;

import java.io.IOException;

/**
 * A checkpoint refused: the file is damaged (truncated, a flipped byte, a header that is not
 * safetensors or points outside the file) or does not fit what it is loaded into (another rule,
 * other group sizes, a missing entry). The message says which and where. Nothing was changed by the
 * load that threw it; a save that threw it left the previous file in place.
 */
public final class CheckpointException extends IOException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
