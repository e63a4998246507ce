package dev.palisade.bench;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.dataplane.compile.DataplaneSettings;
import dev.palisade.dataplane.compile.IncrementalNodeCompiler;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.model.Direction;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.Pod;
import dev.palisade.model.PodPhase;
import dev.palisade.model.Policy;
import dev.palisade.model.RuleGraph;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The compile share of one event at 10,000 pods and 1,000 policies on the measured node of the
 * scale run (node-000, about 110 pods): graph change plus {@link IncrementalNodeCompiler} (plan
 * and iptables rendering), no kernel. {@link #remotePodRelabel} relabels a pod of another node
 * that the change moves between selectors (the sets-only path); {@link #localPolicyUpdate}
 * flips the ingress rules of a policy that selects pods of the node (the chains are rendered
 * anew); {@link #localPodEndpointToggle} turns a pod of the node into an endpoint and back (it
 * completes, it runs again: the path of a local pod being deleted, which replans the node and
 * drops or adds the policies that select only it); {@link #localPodAddressToggle} takes a pod
 * of the node's address away and gives it back (the path of a local pod getting its IP: the
 * policies that will select it are prepared, so only its chains, the dispatch trees and the
 * members change). The remainder of an event's cost is the kernel write
 * (docs/performance.md, "Scale").
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@State(Scope.Thread)
public class IncrementalCompileBenchmark {
  private static final String NODE = PodGenerator.nodeName(0);
  private static final int ROTATION = 64;

  private RuleGraph graph;
  private IncrementalNodeCompiler compiler;
  private final Pod[] original = new Pod[ROTATION];
  private final Pod[] relabelled = new Pod[ROTATION];
  private final boolean[] isRelabelled = new boolean[ROTATION];
  private int nextPod;
  private Pod localPod;
  private Pod localPodWithoutAddress;
  private boolean localPodCompleted;
  private boolean localPodAddressed = true;
  private Policy policy;
  private Policy policyWithoutIngress;
  private boolean policyFlipped;

  @Setup(Level.Trial)
  public void compileTheNode() {
    SyntheticCluster cluster =
        SyntheticCluster.generate(ClusterSize.target(), SyntheticCluster.BENCHMARK_SEED);
    graph = cluster.toGraph();
    compiler = new IncrementalNodeCompiler(NODE, DataplaneSettings.DEFAULTS);
    compiler.compile(graph, GraphDelta.EMPTY);
    List<Pod> remote = new ArrayList<>(cluster.pods().stream()
        .filter(pod -> !NODE.equals(pod.nodeName())).toList());
    Collections.shuffle(remote, new Random(SyntheticCluster.BENCHMARK_SEED));
    int filled = 0;
    for (Pod pod : remote) {
      Map<String, String> labels = new TreeMap<>(pod.labels());
      labels.put("quarantine", "true");
      Pod changed = pod.withLabels(ImmutableSortedMap.copyOf(labels));
      boolean movesSelectors = !graph.upsertPod(changed).selectors().isEmpty();
      graph.upsertPod(pod);
      if (movesSelectors) {
        original[filled] = pod;
        relabelled[filled] = changed;
        if (++filled == ROTATION) {
          break;
        }
      }
    }
    if (filled < ROTATION) {
      throw new IllegalStateException("fewer than " + ROTATION + " remote pods change selectors");
    }
    policy = graph.endpointsOnNode(NODE).stream()
        .flatMap(pod -> graph.policiesSelecting(pod.ref()).stream())
        .filter(candidate -> candidate.isolates(Direction.INGRESS)
            && !candidate.ingress().isEmpty())
        .findFirst().orElseThrow(() -> new IllegalStateException(
            "no policy with ingress rules selects a pod of " + NODE));
    localPod = graph.endpointsOnNode(NODE).stream()
        .filter(pod -> !graph.policiesSelecting(pod.ref()).isEmpty()).findFirst()
        .orElseThrow(() -> new IllegalStateException("no policy selects a pod of " + NODE));
    localPodWithoutAddress = new Pod(localPod.ref(), localPod.labels(), ImmutableList.of(),
        localPod.nodeName(), localPod.ports(), PodPhase.PENDING, localPod.hostNetwork());
    policyWithoutIngress = new Policy(policy.ref(), policy.podSelector(), policy.policyTypes(),
        ImmutableList.of(), policy.egress());
    compiler.compile(graph, GraphDelta.EMPTY);
  }

  @Benchmark
  public DesiredState remotePodRelabel() {
    int slot = nextPod;
    nextPod = (nextPod + 1) % ROTATION;
    isRelabelled[slot] = !isRelabelled[slot];
    return compiler.compile(graph,
        graph.upsertPod(isRelabelled[slot] ? relabelled[slot] : original[slot]));
  }

  @Benchmark
  public DesiredState localPodEndpointToggle() {
    localPodCompleted = !localPodCompleted;
    return compiler.compile(graph, graph.upsertPod(localPodCompleted
        ? localPod.withPhase(PodPhase.SUCCEEDED) : localPod));
  }

  @Benchmark
  public DesiredState localPodAddressToggle() {
    localPodAddressed = !localPodAddressed;
    return compiler.compile(graph, graph.upsertPod(localPodAddressed
        ? localPod : localPodWithoutAddress));
  }

  @Benchmark
  public DesiredState localPolicyUpdate() {
    policyFlipped = !policyFlipped;
    return compiler.compile(graph,
        graph.upsertPolicy(policyFlipped ? policyWithoutIngress : policy));
  }
}
