package dev.palisade.model.lint;

import dev.palisade.model.ContainerPort;
import dev.palisade.model.Direction;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.PeerSelector;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import dev.palisade.model.PortMatcher;
import dev.palisade.model.PortMatcher.NamedPort;
import dev.palisade.model.RuleGraph;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * PAL003: a named port that none of the pods it resolves against declares (ingress: the pods the
 * policy selects; egress: the pods the rule's selector peers match, or every pod when it has
 * none), so it matches nothing now. Skipped when there is no pod to resolve against: a policy
 * selecting nothing is PAL001's business, and a peer that matches nothing yet is not a port
 * problem. PAL007: endPort next to a named port.
 */
final class PortCheck implements PolicyCheck {

  @Override
  public void check(Policy policy, RuleGraph graph, Consumer<Finding> findings) {
    for (RuleSite site : RuleSite.of(policy)) {
      for (PortMatcher matcher : site.rule().ports()) {
        if (matcher instanceof NamedPort named) {
          if (named.withEndPort()) {
            findings.accept(LintCode.PAL007.finding(policy.ref(),
                site + ".ports: port '" + named.name() + "' has an endPort; the API server"
                    + " rejects endPort with a named port, and Palisade matches nothing for it",
                "use a port number with endPort, or drop endPort"));
          }
          checkDeclared(policy, site, named, receivers(policy, site, graph), findings);
        }
      }
    }
  }

  private static void checkDeclared(Policy policy, RuleSite site, NamedPort named,
      Receivers receivers, Consumer<Finding> findings) {
    List<Pod> pods = receivers.pods();
    if (pods.isEmpty()) {
      return;
    }
    Set<String> otherProtocols = new TreeSet<>();
    for (Pod pod : pods) {
      for (ContainerPort port : pod.ports()) {
        if (named.name().equals(port.name())) {
          if (port.protocol() == named.protocol()) {
            return;
          }
          otherProtocols.add(port.protocol().name());
        }
      }
    }
    String elsewhere = otherProtocols.isEmpty() ? ""
        : " (it is declared for " + String.join(", ", otherProtocols) + ")";
    findings.accept(LintCode.PAL003.finding(policy.ref(),
        site + ".ports: no container port named '" + named.name() + "' with protocol "
            + named.protocol() + " on the " + pods.size() + " " + receivers.description()
            + elsewhere + ", so it matches nothing",
        "use the name and protocol a containerPort of those pods declares, or a port number"));
  }

  /** The pods a named port resolves against, and how a message names them. */
  private record Receivers(String description, List<Pod> pods) {}

  /** The pods a named port of this rule resolves against: the receivers of its traffic. */
  private static Receivers receivers(Policy policy, RuleSite site, RuleGraph graph) {
    if (site.direction() == Direction.INGRESS) {
      return new Receivers("pod(s) the policy selects",
          pods(graph, graph.matching(policy.targets())));
    }
    List<PeerSelector> selectors = site.rule().peers().stream()
        .filter(PeerSelector.class::isInstance).map(PeerSelector.class::cast).toList();
    if (selectors.isEmpty()) {
      return new Receivers("pod(s) of the cluster",
          graph.pods().stream().filter(Pod::isEndpoint).toList());
    }
    Set<ObjectRef> members = new TreeSet<>();
    selectors.forEach(selector -> members.addAll(graph.matching(selector)));
    return new Receivers("pod(s) the rule's peers select", pods(graph, members));
  }

  private static List<Pod> pods(RuleGraph graph, Collection<ObjectRef> refs) {
    return refs.stream().flatMap(ref -> graph.pod(ref).stream()).toList();
  }
}
