package dev.stride.checkpoint;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as the checkpoint header and its metadata values hold it, through Jackson's streaming parser
 * and generator: objects as {@link LinkedHashMap}s (in file order), arrays as lists, integers as
 * {@code Long}, other numbers as {@code Double}. NaN and ±Infinity are bare words, as Python's
 * {@code json} writes and reads them. Duplicate keys are refused, and so is anything nested deeper
 * than {@value #MAX_DEPTH} levels: a hostile header cannot exhaust the stack.
 */
final class Json {
  static final int MAX_DEPTH = 64;

  static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(MAX_DEPTH)
                  .maxStringLength((int) Checkpoint.MAX_HEADER_BYTES)
                  .build())
          .build();

  private Json() {}

  /**
   * The value of {@code text}, a whole JSON document.
   *
   * @throws CheckpointException naming {@code what} if it is not JSON
   */
  static Object parse(String text, String what) throws CheckpointException {
    try (JsonParser p = FACTORY.createParser(text)) {
      Object value = read(p, p.nextToken());
      if (p.nextToken() != null) {
        throw new CheckpointException(
            what + " has more after its JSON value, at " + p.currentLocation());
      }
      return value;
    } catch (JacksonException e) {
      throw new CheckpointException(what + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a string has no I/O
    }
  }

  /** The value at {@code token}, whose tokens {@code p} then has read. */
  static Object read(JsonParser p, JsonToken token) throws IOException {
    if (token == null) {
      throw new CheckpointException("the JSON ends early");
    }
    return switch (token) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
          String name = p.currentName();
          map.put(name, read(p, p.nextToken()));
        }
        yield map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          list.add(read(p, t));
        }
        yield list;
      }
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getLongValue(); // refuses one past a long's range
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> true;
      case VALUE_FALSE -> false;
      case VALUE_NULL -> null;
      default ->
          throw new CheckpointException("unexpected JSON " + token + " at " + p.currentLocation());
    };
  }

  /** {@code value} (maps, lists, strings, numbers, booleans, null) as compact JSON. */
  static String write(Object value) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(g, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter has no I/O
    }
    return out.toString();
  }

  static void write(JsonGenerator g, Object value) throws IOException {
    switch (value) {
      case null -> g.writeNull();
      case Map<?, ?> map -> {
        g.writeStartObject();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          g.writeFieldName((String) e.getKey());
          write(g, e.getValue());
        }
        g.writeEndObject();
      }
      case List<?> list -> {
        g.writeStartArray();
        for (Object o : list) {
          write(g, o);
        }
        g.writeEndArray();
      }
      case String s -> g.writeString(s);
      case Boolean b -> g.writeBoolean(b);
      case Integer i -> g.writeNumber(i);
      case Long l -> g.writeNumber(l);
      // Double.toString: the shortest decimal that reads back to the same double, so values
      // survive the round trip to the bit.
      case Number n -> g.writeNumber(n.doubleValue());
      default ->
          throw new IllegalArgumentException(
              "cannot write " + value.getClass().getName() + " as JSON: " + value);
    }
  }

  /** {@code value} as a JSON object, or a refusal naming {@code what}. */
  static Map<String, Object> object(Object value, String what) throws CheckpointException {
    if (!(value instanceof Map<?, ?> map)) {
      throw new CheckpointException(what + " must be a JSON object, got " + value);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> typed = (Map<String, Object>) map;
    return typed;
  }
}
