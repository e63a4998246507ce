package dev.palisade.scenario;

import com.google.common.net.InetAddresses;
import dev.palisade.k8s.FieldPath;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.RuleGraph;
import dev.palisade.model.eval.Endpoint;
import java.net.InetAddress;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One end of a connection as {@code --from} or {@code --to} names it: {@code NS/POD}, a pod
 * name in the {@code -n} namespace, or an IP address. An address that no endpoint pod holds is
 * outside the cluster: only ipBlock peers match it and no policy isolates it. An address that a
 * pod holds is that pod, as the dataplane would see it. The command line ({@code explain},
 * {@code matrix}) and the agent's {@code /explain} read ends alike.
 */
public record EndpointArgument(String option, String text) {

  public Optional<InetAddress> address() {
    return InetAddresses.isInetAddress(text) ? Optional.of(InetAddresses.forString(text))
        : Optional.empty();
  }

  /**
   * The family of the connection: that of the addresses given, which must agree with each other
   * and with an explicit {@code --family}; else {@code chosen}.
   */
  public static IpFamily family(Collection<EndpointArgument> ends, IpFamily chosen,
      boolean chosenExplicitly) {
    Set<IpFamily> ofAddresses = ends.stream().flatMap(end -> end.address().stream())
        .map(IpFamily::of).collect(Collectors.toSet());
    if (ofAddresses.size() > 1 || chosenExplicitly && !ofAddresses.isEmpty()
        && !ofAddresses.contains(chosen)) {
      throw new InvalidInputException("--family", null, FieldPath.ROOT, "the addresses of "
          + "--from and --to and --family must name one address family");
    }
    return ofAddresses.isEmpty() ? chosen : ofAddresses.iterator().next();
  }

  public Endpoint resolve(RuleGraph graph, IpFamily family, ShownNamespaces shown) {
    Optional<InetAddress> address = address();
    if (address.isPresent()) {
      return new Endpoint(address.get(), graph.endpointByIp(address.get()));
    }
    Pod pod = pod(graph, ref(shown), family);
    return Endpoint.of(pod, family);
  }

  private ObjectRef ref(ShownNamespaces shown) {
    try {
      if (text.indexOf('/') < 0 && shown.only().isPresent()) {
        return ObjectRef.of(shown.only().get(), text);
      }
      return ObjectRef.parse(text);
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage() + " (a pod as namespace/name, a pod name with -n, or an IP "
          + "address)");
    }
  }

  private Pod pod(RuleGraph graph, ObjectRef ref, IpFamily family) {
    Pod pod = graph.pod(ref).orElseThrow(() -> error("no pod " + ref + " in the cluster"));
    String problem = pod.hostNetwork() ? "uses the host network"
        : pod.phase().isTerminated() ? "has terminated"
        : pod.ip(family).isEmpty() ? "has no IPv" + family.number() + " address"
        : null;
    if (problem != null) {
      throw error("pod " + ref + " " + problem
          + ", so it is not an endpoint that policies apply to");
    }
    return pod;
  }

  private InvalidInputException error(String problem) {
    return new InvalidInputException(option, null, FieldPath.ROOT, problem);
  }

  /** e.g. "x/a (10.244.1.10)", or "8.8.8.8 (outside the cluster)". */
  public static String describe(Endpoint end) {
    return end + " (" + (end.endpointPod().isPresent() ? InetAddresses.toAddrString(end.ip())
        : "outside the cluster") + ")";
  }
}
