package dev.palisade.k8s;

import java.util.ArrayList;
import java.util.List;

/**
 * Input that Palisade cannot use: a manifest, scenario or option that is malformed or that the
 * API server would reject. The message names where the problem is, from the outside in: the file
 * (and document), the object ({@code NetworkPolicy x/foo}) and the field
 * ({@code spec.ingress[0].from[1].ipBlock.cidr}), then what is wrong. The command line prints it
 * and exits with status 2.
 */
public final class InvalidInputException extends RuntimeException {
  private final String source;
  private final String object;
  private final FieldPath field;
  private final String problem;
  private final boolean acceptedByApiServer;

  public InvalidInputException(String source, String object, FieldPath field, String problem) {
    this(source, object, field, problem, false);
  }

  private InvalidInputException(String source, String object, FieldPath field, String problem,
      boolean acceptedByApiServer) {
    super(format(source, object, field, problem));
    this.source = source;
    this.object = object;
    this.field = field == null ? FieldPath.ROOT : field;
    this.problem = problem;
    this.acceptedByApiServer = acceptedByApiServer;
  }

  /** A problem with an object's field, before the caller knows which file the object came from. */
  public static InvalidInputException inObject(String object, FieldPath field, String problem) {
    return new InvalidInputException(null, object, field, problem);
  }

  /** A problem with a whole file or document, e.g. YAML that does not parse. */
  public static InvalidInputException inSource(String source, String problem) {
    return new InvalidInputException(source, null, FieldPath.ROOT, problem);
  }

  /** The same problem, located in {@code where} (a file, a document); keeps an existing source. */
  public InvalidInputException from(String where) {
    String located = source == null ? where : where + ": " + source;
    return new InvalidInputException(located, object, field, problem, acceptedByApiServer);
  }

  /**
   * The same problem in an object the API server stores anyway (it only warns), so a cluster can
   * hold it: Palisade must then enforce something for it rather than refuse the input.
   */
  public InvalidInputException acceptedByApiServer() {
    return new InvalidInputException(source, object, field, problem, true);
  }

  /** See {@link #acceptedByApiServer()}. */
  public boolean isAcceptedByApiServer() {
    return acceptedByApiServer;
  }

  /** The file or document, or null when not known. */
  public String source() {
    return source;
  }

  /** The object, e.g. {@code NetworkPolicy x/foo}, or null when the problem is not in one. */
  public String object() {
    return object;
  }

  public FieldPath field() {
    return field;
  }

  public String problem() {
    return problem;
  }

  private static String format(String source, String object, FieldPath field, String problem) {
    List<String> parts = new ArrayList<>();
    if (source != null) {
      parts.add(source);
    }
    if (object != null) {
      parts.add(object);
    }
    if (field != null && !field.isRoot()) {
      parts.add(field.text());
    }
    parts.add(problem);
    return String.join(": ", parts);
  }
}
