package dev.palisade.scenario;

import dev.palisade.k8s.FieldPath;
import dev.palisade.k8s.InvalidInputException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed reads from one mapping of a loaded YAML document, each failure an
 * {@link InvalidInputException} naming the file and the field.
 */
final class YamlMap {
  private final Map<?, ?> fields;
  private final FieldPath path;
  private final String source;

  private YamlMap(Map<?, ?> fields, FieldPath path, String source) {
    this.fields = fields;
    this.path = path;
    this.source = source;
  }

  static YamlMap of(Object value, FieldPath path, String source) {
    if (!(value instanceof Map<?, ?> map)) {
      throw new InvalidInputException(source, null, path, "expected a mapping, got "
          + describe(value));
    }
    return new YamlMap(map, path, source);
  }

  /** Refuses keys outside {@code known}: a misspelt key would otherwise be silently ignored. */
  YamlMap allowOnly(Set<String> known) {
    for (Object key : fields.keySet()) {
      if (!known.contains(String.valueOf(key))) {
        throw error(path.field(String.valueOf(key)), "unknown field; expected one of "
            + String.join(", ", new TreeSet<>(known)));
      }
    }
    return this;
  }

  FieldPath path(String key) {
    return path.field(key);
  }

  Optional<Object> get(String key) {
    return Optional.ofNullable(fields.get(key));
  }

  String requiredString(String key) {
    return string(key).orElseThrow(() -> error(path(key), "must be set"));
  }

  Optional<String> string(String key) {
    Object value = fields.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof Map || value instanceof List) {
      throw error(path(key), "expected text, got " + describe(value));
    }
    return Optional.of(value.toString());
  }

  OptionalInt integer(String key) {
    Object value = fields.get(key);
    if (value == null) {
      return OptionalInt.empty();
    }
    if (!(value instanceof Integer number)) {
      throw error(path(key), "expected a whole number, got " + describe(value));
    }
    return OptionalInt.of(number);
  }

  /** A list, empty when the key is absent or null. */
  List<?> list(String key) {
    Object value = fields.get(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw error(path(key), "expected a list, got " + describe(value));
    }
    return list;
  }

  InvalidInputException error(FieldPath field, String problem) {
    return new InvalidInputException(source, null, field, problem);
  }

  static String describe(Object value) {
    if (value == null) {
      return "nothing";
    }
    if (value instanceof Map) {
      return "a mapping";
    }
    if (value instanceof List) {
      return "a list";
    }
    return "'" + value + "'";
  }
}
