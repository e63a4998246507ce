package dev.palisade.helm;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/** One permission of an RBAC rule, flattened: rules compare exactly as sets of grants. */
record Grant(String apiGroup, String resource, String verb) implements Comparable<Grant> {

  static Set<Grant> of(Collection<PolicyRule> rules) {
    Set<Grant> grants = new TreeSet<>();
    for (PolicyRule rule : rules) {
      for (String apiGroup : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            grants.add(new Grant(apiGroup, resource, verb));
          }
        }
      }
    }
    return grants;
  }

  /** Every verb on every resource of the given API group. */
  static Set<Grant> all(String apiGroup, Collection<String> resources, Collection<String> verbs) {
    Set<Grant> grants = new TreeSet<>();
    resources.forEach(resource -> verbs.forEach(verb -> grants.add(new Grant(apiGroup, resource, verb))));
    return grants;
  }

  @Override
  public int compareTo(Grant other) {
    return toString().compareTo(other.toString());
  }

  @Override
  public String toString() {
    return (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource + ":" + verb;
  }
}
