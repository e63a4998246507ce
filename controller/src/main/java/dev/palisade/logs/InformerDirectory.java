package dev.palisade.logs;

import com.google.common.net.InetAddresses;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.k8s.ModelConverter;
import dev.palisade.model.Pod;
import dev.palisade.model.Policy;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The cluster as informers see it: Pods indexed by address, NetworkPolicies by namespace, so a
 * packet costs two index lookups and converts only the objects they return. Reads from
 * whichever thread shows packets; the informers keep themselves current.
 */
public final class InformerDirectory implements ClusterDirectory, AutoCloseable {
  private static final String ADDRESS_INDEX = "address";

  private final ModelConverter converter = new ModelConverter();
  private final SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> pods;
  private final SharedIndexInformer<NetworkPolicy> policies;

  private InformerDirectory(SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> pods,
      SharedIndexInformer<NetworkPolicy> policies) {
    this.pods = pods;
    this.policies = policies;
  }

  /**
   * Lists and watches Pods and NetworkPolicies in all namespaces; returns once both are listed.
   *
   * @throws IllegalStateException when the API server does not answer within {@code seconds}
   */
  public static InformerDirectory start(KubernetesClient client, long seconds) {
    SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> pods =
        client.pods().inAnyNamespace().runnableInformer(0);
    pods.addIndexers(Map.of(ADDRESS_INDEX, InformerDirectory::addresses));
    SharedIndexInformer<NetworkPolicy> policies =
        client.network().v1().networkPolicies().inAnyNamespace().runnableInformer(0);
    InformerDirectory directory = new InformerDirectory(pods, policies);
    try {
      pods.start().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
      policies.start().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
      return directory;
    } catch (TimeoutException | ExecutionException | CompletionException e) {
      directory.close();
      throw new IllegalStateException("cannot list Pods and NetworkPolicies: "
          + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      directory.close();
      throw new IllegalStateException("interrupted while listing the cluster", e);
    }
  }

  @Override
  public Optional<Pod> podAt(InetAddress address) {
    return pods.getIndexer().byIndex(ADDRESS_INDEX, InetAddresses.toAddrString(address)).stream()
        .flatMap(manifest -> convert(manifest).stream())
        .filter(Pod::isEndpoint)
        .findFirst();
  }

  @Override
  public List<Policy> policiesIn(String namespace) {
    return policies.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace).stream()
        .map(this::convert)
        .toList();
  }

  private Optional<Pod> convert(io.fabric8.kubernetes.api.model.Pod manifest) {
    try {
      return Optional.of(converter.pod(manifest));
    } catch (InvalidInputException e) {
      return Optional.empty();
    }
  }

  /** As the agents enforce it: a policy the converter refuses isolates, fail-closed. */
  private Policy convert(NetworkPolicy manifest) {
    try {
      return converter.networkPolicy(manifest);
    } catch (InvalidInputException e) {
      return converter.failClosed(manifest);
    }
  }

  /** A pod's addresses, written as {@link InetAddresses#toAddrString} writes them. */
  private static List<String> addresses(io.fabric8.kubernetes.api.model.Pod pod) {
    if (pod.getStatus() == null) {
      return List.of();
    }
    Stream<String> listed = pod.getStatus().getPodIPs() == null ? Stream.of()
        : pod.getStatus().getPodIPs().stream().map(PodIP::getIp);
    return Stream.concat(Stream.of(pod.getStatus().getPodIP()), listed)
        .filter(ip -> ip != null && InetAddresses.isInetAddress(ip))
        .map(ip -> InetAddresses.toAddrString(InetAddresses.forString(ip)))
        .distinct()
        .toList();
  }

  @Override
  public void close() {
    pods.close();
    policies.close();
  }
}
