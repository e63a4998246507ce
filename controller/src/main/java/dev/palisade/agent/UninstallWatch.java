package dev.palisade.agent;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells, when the agent stops, whether it stops because Palisade is being uninstalled: its own
 * DaemonSet was deleted or carries a deletion timestamp. Then, and only then, the agent removes
 * its rules; a rolling update or a drain leaves them in force.
 *
 * <p>It watches the DaemonSet from the start rather than asking at SIGTERM: Helm deletes the
 * agent's RBAC in the same pass as the DaemonSet, so a question asked at SIGTERM is usually
 * refused. A watch opened before delivers the deletion. An agent that never saw a deletion
 * keeps its rules (fail closed).
 */
final class UninstallWatch implements AutoCloseable, ResourceEventHandler<DaemonSet> {
  private static final Logger log = LoggerFactory.getLogger(UninstallWatch.class);

  private SharedIndexInformer<DaemonSet> informer;
  private volatile boolean deleted;

  private UninstallWatch() {}

  /**
   * Starts watching the DaemonSet that owns pod {@code namespace/podName}; empty when the pod
   * has no DaemonSet owner or cannot be read (then the agent never cleans up on its own).
   */
  static Optional<UninstallWatch> start(KubernetesClient client, String namespace,
      String podName) {
    Pod self;
    try {
      self = client.pods().inNamespace(namespace).withName(podName).get();
    } catch (KubernetesClientException e) {
      log.warn("cannot read my own pod {}/{} ({}); rules will stay after uninstall",
          namespace, podName, e.getMessage());
      return Optional.empty();
    }
    Optional<String> owner = self == null ? Optional.empty()
        : self.getMetadata().getOwnerReferences().stream()
            .filter(reference -> "DaemonSet".equals(reference.getKind()))
            .map(OwnerReference::getName)
            .findFirst();
    if (owner.isEmpty()) {
      log.warn("pod {}/{} has no DaemonSet owner; rules will stay after uninstall", namespace,
          podName);
      return Optional.empty();
    }
    UninstallWatch watch = new UninstallWatch();
    try {
      watch.informer = client.apps().daemonSets().inNamespace(namespace).withName(owner.get())
          .inform(watch, 0);
    } catch (KubernetesClientException e) {
      log.warn("cannot watch my DaemonSet {}/{} ({}); rules will stay after uninstall",
          namespace, owner.get(), e.getMessage());
      return Optional.empty();
    }
    log.info("watching my DaemonSet {}/{} to clean up on uninstall", namespace, owner.get());
    return Optional.of(watch);
  }

  @Override
  public void onAdd(DaemonSet daemonSet) {
    noteDeletionTimestamp(daemonSet);
  }

  @Override
  public void onUpdate(DaemonSet previous, DaemonSet daemonSet) {
    noteDeletionTimestamp(daemonSet);
  }

  @Override
  public void onDelete(DaemonSet daemonSet, boolean finalStateUnknown) {
    markDeleted("deleted");
  }

  private void noteDeletionTimestamp(DaemonSet daemonSet) {
    if (daemonSet.getMetadata().getDeletionTimestamp() != null) {
      markDeleted("being deleted");
    }
  }

  private void markDeleted(String how) {
    if (!deleted) {
      log.info("my DaemonSet is {}: Palisade is being uninstalled", how);
    }
    deleted = true;
  }

  /** Whether the DaemonSet was seen deleted or being deleted. */
  boolean uninstalling() {
    return deleted;
  }

  @Override
  public void close() {
    informer.close();
  }
}
