package dev.palisade.controller;

import static dev.palisade.controller.ClusterObjects.denyIngress;
import static dev.palisade.controller.ClusterObjects.namespace;
import static dev.palisade.controller.ClusterObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.k8s.ModelConverter;
import dev.palisade.model.ObjectRef;
import dev.palisade.model.Policy;
import dev.palisade.model.RuleGraph;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Observe and lint over fake informer caches, with a lint that records what it saw. */
class ClusterAnalyzerTest {
  private final ListCache<NetworkPolicy> policies = new ListCache<>();
  private final ListCache<Pod> pods = new ListCache<>();
  private final ListCache<Namespace> namespaces = new ListCache<>();
  private final ClusterCaches caches = new ClusterCaches(policies, pods, namespaces);
  private final List<List<ObjectRef>> linted = new ArrayList<>();
  private final ClusterAnalyzer analyzer = new ClusterAnalyzer(new ModelConverter(),
      this::selectsNothing);
  private int version;

  /** A stand-in lint: one notice per policy whose target selects no pod. */
  private List<PolicyNotice> selectsNothing(RuleGraph graph) {
    linted.add(graph.policies().stream().map(Policy::ref).toList());
    return graph.policies().stream()
        .filter(policy -> graph.members(policy.targets()).isEmpty())
        .map(policy -> new PolicyNotice(policy.ref(), "PAL001", true, "selects no pod"))
        .toList();
  }

  @Test
  void lintsAgainOnlyWhenTheModelChanged() {
    namespaces.put(stored(namespace("x")));
    pods.put(stored(pod("x", "a", "10.0.0.1", "pod", "a")));
    policies.put(stored(denyIngress("x", "web", "pod", "a")));
    ClusterAnalysis first = analyzer.analyze(caches);

    pods.put(stored(new PodBuilder(pod("x", "a", "10.0.0.1", "pod", "a"))
        .editStatus().withMessage("a status change the model does not hold").endStatus()
        .build()));
    ClusterAnalysis unchanged = analyzer.analyze(caches);

    assertThat(unchanged).isSameAs(first);
    assertThat(linted).hasSize(1);

    pods.put(stored(pod("x", "a", "10.0.0.1", "pod", "b")));
    ClusterAnalysis relabelled = analyzer.analyze(caches);

    assertThat(linted).hasSize(2);
    assertThat(relabelled.noticesFor(ObjectRef.of("x", "web")))
        .extracting(PolicyNotice::code).containsExactly("PAL001");
  }

  @Test
  void followsDeletions() {
    Pod a = stored(pod("x", "a", "10.0.0.1", "pod", "a"));
    pods.put(a);
    policies.put(stored(denyIngress("x", "web", "pod", "a")));
    assertThat(analyzer.analyze(caches).notices().isEmpty()).isTrue();

    pods.remove(a);

    assertThat(analyzer.analyze(caches).noticesFor(ObjectRef.of("x", "web"))).hasSize(1);
  }

  @Test
  void aPolicyTheConverterRefusesIsANoticeNotAGuess() {
    pods.put(stored(pod("x", "a", "10.0.0.1", "pod", "a")));
    NetworkPolicy broken = new NetworkPolicyBuilder(denyIngress("x", "broken", "pod", "a"))
        .editSpec()
          .addNewIngress().addNewFrom().withNewIpBlock().withCidr("10.0.0.0/33").endIpBlock()
          .endFrom().endIngress()
        .endSpec()
        .build();
    policies.put(stored(broken));

    ClusterAnalysis analysis = analyzer.analyze(caches);

    assertThat(analysis.noticesFor(ObjectRef.of("x", "broken"))).singleElement()
        .satisfies(notice -> {
          assertThat(notice.code()).isEqualTo("InvalidNetworkPolicy");
          assertThat(notice.warning()).isTrue();
          assertThat(notice.text()).contains("spec.ingress[0].from[0].ipBlock.cidr");
        });
    assertThat(analysis.stats().policies()).isEqualTo(1);
    assertThat(analysis.stats().selectedPods()).isZero();
    assertThat(linted).containsExactly(List.of());

    policies.put(stored(denyIngress("x", "broken", "pod", "a")));

    ClusterAnalysis fixed = analyzer.analyze(caches);
    assertThat(fixed.notices().isEmpty()).isTrue();
    assertThat(fixed.stats().selectedPods()).isEqualTo(1);
  }

  @Test
  void aFailedAnalysisIsRetriedNotCached() {
    policies.put(stored(denyIngress("x", "web", "pod", "a")));
    List<RuntimeException> failures = new ArrayList<>(List.of(
        new IllegalStateException("a lint bug")));
    ClusterAnalyzer failingOnce = new ClusterAnalyzer(new ModelConverter(), graph -> {
      if (!failures.isEmpty()) {
        throw failures.remove(0);
      }
      return selectsNothing(graph);
    });

    assertThatThrownBy(() -> failingOnce.analyze(caches)).hasMessage("a lint bug");
    ClusterAnalysis retried = failingOnce.analyze(caches);

    assertThat(retried.noticesFor(ObjectRef.of("x", "web")))
        .extracting(PolicyNotice::code).containsExactly("PAL001");
  }

  @Test
  void countsSelectedAndIsolatedEndpoints() {
    pods.put(stored(pod("x", "a", "10.0.0.1", "pod", "a")));
    pods.put(stored(pod("x", "b", "10.0.0.2", "pod", "b")));
    pods.put(stored(new PodBuilder(pod("x", "done", "10.0.0.3", "pod", "a"))
        .editStatus().withPhase("Succeeded").endStatus().build()));
    policies.put(stored(denyIngress("x", "ingress-a", "pod", "a")));
    policies.put(stored(new NetworkPolicyBuilder(denyIngress("x", "both-b", "pod", "b"))
        .editSpec().withPolicyTypes("Ingress", "Egress").endSpec().build()));
    policies.put(stored(denyIngress("x", "nobody", "pod", "z")));

    ClusterStats stats = analyzer.analyze(caches).stats();

    assertThat(stats).isEqualTo(new ClusterStats(3, 2, 2, 1,
        com.google.common.collect.ImmutableSortedMap.of("PAL001", 1)));
  }

  /** The object as an informer holds it: with a fresh resourceVersion (and uid). */
  private <T extends HasMetadata> T stored(T object) {
    object.getMetadata().setResourceVersion(Integer.toString(++version));
    object.getMetadata().setUid("uid-" + object.getMetadata().getName());
    return object;
  }
}
