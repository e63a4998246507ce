package dev.palisade.helm;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One permission of an RBAC rule, flattened: rules compare exactly as sets of grants.
 *
 * @param resourceName the one object the grant is limited to, or {@link #ANY_NAME}
 */
record Grant(String apiGroup, String resource, String resourceName, String verb)
    implements Comparable<Grant> {

  static final String ANY_NAME = "";

  static Set<Grant> of(Collection<PolicyRule> rules) {
    Set<Grant> grants = new TreeSet<>();
    for (PolicyRule rule : rules) {
      List<String> names = rule.getResourceNames().isEmpty() ? List.of(ANY_NAME)
          : rule.getResourceNames();
      for (String apiGroup : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String name : names) {
            for (String verb : rule.getVerbs()) {
              grants.add(new Grant(apiGroup, resource, name, verb));
            }
          }
        }
      }
    }
    return grants;
  }

  /** Every verb on every object of the given resources of an API group. */
  static Set<Grant> all(String apiGroup, Collection<String> resources, Collection<String> verbs) {
    Set<Grant> grants = new TreeSet<>();
    resources.forEach(resource -> grants.addAll(named(apiGroup, resource, ANY_NAME, verbs)));
    return grants;
  }

  /** Every verb on one named object. */
  static Set<Grant> named(String apiGroup, String resource, String name,
      Collection<String> verbs) {
    Set<Grant> grants = new TreeSet<>();
    verbs.forEach(verb -> grants.add(new Grant(apiGroup, resource, name, verb)));
    return grants;
  }

  @Override
  public int compareTo(Grant other) {
    return toString().compareTo(other.toString());
  }

  @Override
  public String toString() {
    return (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource
        + (resourceName.isEmpty() ? "" : "/" + resourceName) + ":" + verb;
  }
}
