package dev.palisade.e2e.realapi;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One permission of a live Role or ClusterRole, flattened: a rule is the union of its grants,
 * so a role without one grant is the rules of its other grants.
 *
 * @param resourceName the one object the grant is limited to, or "" for any
 */
record RbacGrant(String apiGroup, String resource, String resourceName, String verb) {

  static List<RbacGrant> of(Collection<PolicyRule> rules) {
    List<RbacGrant> grants = new ArrayList<>();
    for (PolicyRule rule : rules) {
      List<String> names = rule.getResourceNames().isEmpty() ? List.of("")
          : rule.getResourceNames();
      for (String apiGroup : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String name : names) {
            for (String verb : rule.getVerbs()) {
              grants.add(new RbacGrant(apiGroup, resource, name, verb));
            }
          }
        }
      }
    }
    return grants;
  }

  /** The same permissions as rules, one grant each. */
  static List<PolicyRule> rules(Collection<RbacGrant> grants) {
    return grants.stream().map(grant -> new PolicyRuleBuilder()
        .withApiGroups(grant.apiGroup()).withResources(grant.resource())
        .withResourceNames(grant.resourceName().isEmpty() ? List.of()
            : List.of(grant.resourceName()))
        .withVerbs(grant.verb()).build()).toList();
  }

  /** Whether this grant allows the request (namespaces are the role's business). */
  boolean allows(AuditLog.Request request) {
    return apiGroup.equals(request.apiGroup()) && resource.equals(request.resource())
        && verb.equals(request.verb())
        && (resourceName.isEmpty() || resourceName.equals(request.name()));
  }

  @Override
  public String toString() {
    return verb + " " + (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource
        + (resourceName.isEmpty() ? "" : " named " + resourceName);
  }
}
