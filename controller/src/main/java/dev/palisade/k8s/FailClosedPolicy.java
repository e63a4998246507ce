package dev.palisade.k8s;

import dev.palisade.model.Direction;
import dev.palisade.model.Policy;
import java.util.stream.Collectors;

/**
 * A policy the API server stores but Palisade cannot use as written, with the stand-in that
 * Palisade enforces for it instead ({@link ModelConverter#failClosed}).
 *
 * @param refusal why the converter refused it, naming the object and the field
 */
public record FailClosedPolicy(InvalidInputException refusal, Policy standIn) {

  /** What Palisade does instead of what the policy says. */
  public String consequence() {
    return "Palisade enforces this policy fail-closed: the pods it selects are isolated for "
        + standIn.policyTypes().stream().map(Direction::title)
            .collect(Collectors.joining(" and ")) + ", and it allows nothing";
  }

  /** One line for the command line: where, what is wrong, and what Palisade does instead. */
  public String warning() {
    return refusal.getMessage() + "; " + consequence();
  }
}
