package dev.palisade.bench;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.net.InetAddresses;
import dev.palisade.model.Cidr;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Pod;
import dev.palisade.model.PodPhase;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Turns the workloads of a layout into running pods, as a Deployment and the scheduler would:
 * names {@code <app>-<template hash>-<suffix>}, a {@code version} label (some workloads run a
 * {@code v2} canary next to {@code v1}) with its {@code pod-template-hash}, and an address
 * from the pod CIDR of the node the pod lands on. Pods are dealt to nodes round-robin, so each
 * namespace spreads over the nodes and every node holds about the same number of pods.
 */
final class PodGenerator {
  /** Node {@code n} owns {@code 10.244.n.0/24} (counting on past .255 into 10.245...). */
  private static final int POD_NETWORK =
      InetAddresses.coerceToInteger(InetAddresses.forString("10.244.0.0"));
  /** .0 is the network and .1 the node's gateway address. */
  private static final int FIRST_HOST = 2;
  private static final String NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

  private final Random random;
  private final int[] podsOnNode;
  private int nextNode;

  private PodGenerator(int nodes, Random random) {
    this.random = random;
    this.podsOnNode = new int[nodes];
  }

  static ImmutableList<Pod> generate(ClusterLayout layout, ClusterSize size, Random random) {
    PodGenerator generator = new PodGenerator(size.nodes(), random);
    List<Pod> pods = new ArrayList<>(size.pods());
    for (NamespacePlan namespace : layout.namespaces()) {
      Set<String> names = new HashSet<>();
      for (Workload workload : layout.workloads().get(namespace)) {
        generator.addReplicas(workload, names, pods);
      }
    }
    return ImmutableList.copyOf(pods);
  }

  static String nodeName(int node) {
    return String.format("node-%03d", node);
  }

  static Cidr podCidr(int node) {
    return new Cidr(InetAddresses.fromInteger(POD_NETWORK + node * 256), 24);
  }

  private void addReplicas(Workload workload, Set<String> names, List<Pod> pods) {
    boolean canary = workload.replicas() >= 4 && random.nextInt(4) == 0;
    int canaries = canary ? Math.max(1, workload.replicas() / 10) : 0;
    String stableHash = randomName(10);
    String canaryHash = randomName(10);
    for (int replica = 0; replica < workload.replicas(); replica++) {
      boolean isCanary = replica < canaries;
      String templateHash = isCanary ? canaryHash : stableHash;
      String name;
      do {
        name = workload.app().label + "-" + templateHash + "-" + randomName(5);
      } while (!names.add(name));
      ImmutableSortedMap<String, String> labels = ImmutableSortedMap.<String, String>naturalOrder()
          .putAll(workload.labels())
          .put("version", isCanary ? "v2" : "v1")
          .put("pod-template-hash", templateHash)
          .buildOrThrow();
      int node = nextNode;
      nextNode = (nextNode + 1) % podsOnNode.length;
      pods.add(new Pod(ObjectRef.of(workload.namespace(), name), labels,
          ImmutableList.of(nextAddress(node)), nodeName(node), workload.app().ports,
          PodPhase.RUNNING, false));
    }
  }

  private InetAddress nextAddress(int node) {
    int host = FIRST_HOST + podsOnNode[node]++;
    return InetAddresses.fromInteger(POD_NETWORK + node * 256 + host);
  }

  private String randomName(int length) {
    StringBuilder name = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      name.append(NAME_ALPHABET.charAt(random.nextInt(NAME_ALPHABET.length())));
    }
    return name.toString();
  }
}
