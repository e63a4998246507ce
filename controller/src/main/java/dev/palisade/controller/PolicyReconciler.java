package dev.palisade.controller;

import dev.palisade.k8s.ModelConverter;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;

/**
 * Reconciles one NetworkPolicy: observe (the cluster's graph, from the informer caches), lint,
 * publish (the policy's Events). It never changes the policy.
 *
 * <p>All-events mode ({@code triggerReconcilerOnAllEvents}): the deletion of a policy is an
 * ordinary call with {@link Context#isPrimaryResourceDeleted()} set, so no finalizer is ever
 * put on users' policies (a JOSDK {@code Cleaner} would add one to every policy in the cluster
 * and block their deletion while the controller is down). Pods and Namespaces are secondary
 * event sources, mapped to the policies they can affect by {@link AffectedPolicies}; their
 * updates count only if they change the model ({@link ModelChangeFilter}).
 */
@ControllerConfiguration(name = PolicyReconciler.NAME, triggerReconcilerOnAllEvents = true)
final class PolicyReconciler implements Reconciler<NetworkPolicy> {
  static final String NAME = "palisade-policy-lint";

  private final ModelConverter converter;
  private final ClusterAnalyzer analyzer;
  private final FindingEvents events;
  private final ControllerMetrics metrics;
  private final Leadership leadership;
  private final RealizationPublisher realization;

  /** @param realization publishes from this reconciler's policy cache */
  PolicyReconciler(ModelConverter converter, ClusterAnalyzer analyzer, FindingEvents events,
      ControllerMetrics metrics, Leadership leadership, RealizationPublisher realization) {
    this.converter = converter;
    this.analyzer = analyzer;
    this.events = events;
    this.metrics = metrics;
    this.leadership = leadership;
    this.realization = realization;
  }

  @Override
  public List<EventSource<?, NetworkPolicy>> prepareEventSources(
      EventSourceContext<NetworkPolicy> context) {
    AffectedPolicies affected = AffectedPolicies.indexing(context.getPrimaryCache());
    realization.follow(context.getPrimaryCache());
    var pods = InformerEventSourceConfiguration.from(Pod.class, NetworkPolicy.class)
        .withSecondaryToPrimaryMapper(affected.forPods())
        .withOnUpdateFilter(new ModelChangeFilter<>(converter::pod))
        .build();
    var namespaces = InformerEventSourceConfiguration.from(Namespace.class, NetworkPolicy.class)
        .withSecondaryToPrimaryMapper(affected.forNamespaces())
        .withOnUpdateFilter(new ModelChangeFilter<>(converter::namespace))
        .build();
    return List.of(new InformerEventSource<>(pods, context),
        new InformerEventSource<>(namespaces, context));
  }

  @Override
  public UpdateControl<NetworkPolicy> reconcile(NetworkPolicy policy,
      Context<NetworkPolicy> context) {
    if (!leadership.isLeading()) {
      return UpdateControl.noUpdate();
    }
    ClusterAnalysis analysis = analyzer.analyze(ClusterCaches.of(context));
    metrics.registerCodes(analysis);
    if (context.isPrimaryResourceDeleted()) {
      events.forget(policy);
    } else {
      events.publish(policy, analysis.noticesFor(ClusterMirror.ref(policy)));
    }
    return UpdateControl.noUpdate();
  }
}
