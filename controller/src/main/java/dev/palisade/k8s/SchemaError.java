package dev.palisade.k8s;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;

/**
 * A value that does not fit the Kubernetes schema, told in the manifest's terms: the field path
 * (e.g. {@code spec.containers[0].ports[0].containerPort}) and what the field takes, never the
 * Java class that Jackson was filling.
 */
record SchemaError(FieldPath field, String problem) {

  static SchemaError of(JsonMappingException mapping) {
    FieldPath path = FieldPath.ROOT;
    for (JsonMappingException.Reference reference : mapping.getPath()) {
      path = reference.getFieldName() != null ? path.field(reference.getFieldName())
          : path.index(reference.getIndex());
    }
    return new SchemaError(path, problem(mapping));
  }

  private static String problem(JsonMappingException mapping) {
    if (mapping instanceof UnrecognizedPropertyException unknown) {
      // kube-apiserver's strict decoding: 'unknown field "spec.podSelector.matchLabel"'
      TreeSet<String> known = new TreeSet<>();
      unknown.getKnownPropertyIds().forEach(id -> known.add(id.toString()));
      return "unknown field (the API server rejects it); expected one of "
          + String.join(", ", known);
    }
    if (mapping instanceof InvalidFormatException format) {
      return "expected " + expected(format.getTargetType()) + ", got '" + format.getValue() + "'";
    }
    if (mapping instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      return "expected " + expected(mismatch.getTargetType());
    }
    return "does not fit the Kubernetes schema";
  }

  /** What a field of this Java type takes, in YAML terms. */
  private static String expected(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "a whole number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "text";
    }
    if (type.getSimpleName().equals("IntOrString")) {
      return "a number or a name";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "a mapping";
    }
    return "a mapping (an object)";
  }
}
