package dev.palisade.scenario;

import com.google.common.collect.ImmutableList;
import dev.palisade.k8s.FailClosedPolicy;
import dev.palisade.k8s.FieldPath;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.k8s.Manifest;
import dev.palisade.k8s.ManifestReader;
import dev.palisade.k8s.ModelConverter;
import dev.palisade.k8s.ObjectKey;
import dev.palisade.k8s.YamlDocuments;
import dev.palisade.model.IpFamily;
import dev.palisade.model.Protocol;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a scenario file (SCENARIO.md) into a {@link Scenario}. Everything is checked here, before
 * anything runs, and every error names the file, the object when there is one, and the field.
 */
public final class ScenarioParser {
  private static final Set<String> SCENARIO_FIELDS = Set.of("name", "nodes", "objects", "steps");
  private static final Set<String> STEP_FIELDS = Set.of("name", "apply", "delete", "probes");
  private static final Set<String> PROBE_FIELDS = Set.of("port", "protocol", "family", "expect");
  private static final Set<String> DELETE_FIELDS = Set.of("kind", "namespace", "name");
  private static final Set<String> KINDS = Set.of("Namespace", "Pod", "NetworkPolicy");
  static final int DEFAULT_NODES = 2;

  private final ManifestReader reader;

  /** A parser that refuses unknown fields in objects (see {@link ManifestReader}). */
  public ScenarioParser() {
    this(new ManifestReader());
  }

  /** @param reader how the scenario's objects are read */
  public ScenarioParser(ManifestReader reader) {
    this.reader = reader;
  }
  private final ModelConverter converter = new ModelConverter();

  public Scenario parse(Path file) {
    return parse(YamlDocuments.read(file), file.toString());
  }

  public Scenario parse(String text, String source) {
    List<Object> documents = YamlDocuments.parse(text, source);
    if (documents.size() != 1 || documents.get(0) == null) {
      throw InvalidInputException.inSource(source, "a scenario file holds exactly one YAML "
          + "document, found " + documents.stream().filter(d -> d != null).count());
    }
    YamlMap root = YamlMap.of(documents.get(0), FieldPath.ROOT, source)
        .allowOnly(SCENARIO_FIELDS);
    String name = root.requiredString("name");
    int nodes = root.integer("nodes").orElse(DEFAULT_NODES);
    if (nodes < 1 || nodes > 250) {
      throw root.error(root.path("nodes"), nodes + " is out of range 1-250");
    }
    List<String> warnings = new ArrayList<>();
    ImmutableList<Manifest> objects = manifests(root.list("objects"), root.path("objects"),
        source, nodes, warnings);
    List<?> stepList = root.list("steps");
    if (stepList.isEmpty()) {
      throw root.error(root.path("steps"), "a scenario needs at least one step");
    }
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < stepList.size(); i++) {
      steps.add(step(stepList.get(i), root.path("steps").index(i), source, nodes, warnings));
    }
    return new Scenario(source, name, nodes, objects, ImmutableList.copyOf(steps),
        ImmutableList.copyOf(warnings));
  }

  private Step step(Object value, FieldPath path, String source, int nodes,
      List<String> warnings) {
    YamlMap step = YamlMap.of(value, path, source).allowOnly(STEP_FIELDS);
    String name = step.requiredString("name");
    ImmutableList<Manifest> apply = manifests(step.list("apply"), step.path("apply"), source,
        nodes, warnings);
    List<Deletion> deletions = new ArrayList<>();
    List<?> deleteList = step.list("delete");
    for (int i = 0; i < deleteList.size(); i++) {
      deletions.add(deletion(deleteList.get(i), step.path("delete").index(i), source));
    }
    List<Probe> probes = new ArrayList<>();
    List<?> probeList = step.list("probes");
    for (int i = 0; i < probeList.size(); i++) {
      probes.add(probe(probeList.get(i), step.path("probes").index(i), source));
    }
    return new Step(name, apply, ImmutableList.copyOf(deletions), ImmutableList.copyOf(probes));
  }

  private ImmutableList<Manifest> manifests(List<?> values, FieldPath path, String source,
      int nodes, List<String> warnings) {
    List<Manifest> manifests = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      for (Manifest manifest : reader.read(values.get(i), source + ", " + path.index(i))) {
        checkConvertible(manifest, warnings);
        checkNode(manifest, nodes);
        manifests.add(manifest);
      }
    }
    return ImmutableList.copyOf(manifests);
  }

  /**
   * Refuses now what the cluster would refuse when the step runs; warns of a policy the API server
   * would store but Palisade enforces fail-closed.
   */
  private void checkConvertible(Manifest manifest, List<String> warnings) {
    try {
      if (manifest.object() instanceof io.fabric8.kubernetes.api.model.Namespace namespace) {
        converter.namespace(namespace);
      } else if (manifest.object() instanceof Pod pod) {
        converter.pod(pod);
      } else if (manifest.object() instanceof NetworkPolicy policy) {
        converter.networkPolicy(policy);
      }
    } catch (InvalidInputException e) {
      if (!(e.isAcceptedByApiServer()
          && manifest.object() instanceof NetworkPolicy policy)) {
        throw e.from(manifest.origin());
      }
      warnings.add(new FailClosedPolicy(e.from(manifest.origin()), converter.failClosed(policy))
          .warning());
    }
  }

  /** A pod may name its node; it must be one of the scenario's {@code node-1..node-N}. */
  private static void checkNode(Manifest manifest, int nodes) {
    if (!(manifest.object() instanceof Pod pod) || pod.getSpec() == null
        || pod.getSpec().getNodeName() == null) {
      return;
    }
    String node = pod.getSpec().getNodeName();
    for (int n = 1; n <= nodes; n++) {
      if (node.equals(PodPlacement.nodeName(n))) {
        return;
      }
    }
    throw new InvalidInputException(manifest.origin(), manifest.key().toString(),
        FieldPath.of("spec.nodeName"), "'" + node + "' is not a node of this scenario (node-1"
            + (nodes > 1 ? " to node-" + nodes : "") + ")");
  }

  private static Deletion deletion(Object value, FieldPath path, String source) {
    YamlMap entry = YamlMap.of(value, path, source).allowOnly(DELETE_FIELDS);
    String kind = entry.requiredString("kind");
    if (!KINDS.contains(kind)) {
      throw entry.error(entry.path("kind"), "unknown kind '" + kind
          + "'; expected Namespace, Pod or NetworkPolicy");
    }
    String name = entry.requiredString("name");
    Optional<String> namespace = entry.string("namespace");
    if (!ObjectKey.isNamespaced(kind)) {
      if (namespace.isPresent()) {
        throw entry.error(entry.path("namespace"), "a Namespace has no namespace");
      }
      return new Deletion(path, new ObjectKey(kind, null, name));
    }
    return new Deletion(path,
        new ObjectKey(kind, namespace.orElse(ObjectKey.DEFAULT_NAMESPACE), name));
  }

  private static Probe probe(Object value, FieldPath path, String source) {
    YamlMap probe = YamlMap.of(value, path, source).allowOnly(PROBE_FIELDS);
    String protocolText = probe.string("protocol").orElse("TCP");
    Protocol protocol = Protocol.parse(protocolText).filter(p -> p.name().equals(protocolText))
        .orElseThrow(() -> probe.error(probe.path("protocol"), "unknown protocol '"
            + protocolText + "'; expected TCP, UDP, SCTP or ICMP"));
    IpFamily family;
    int familyNumber = probe.integer("family").orElse(4);
    try {
      family = IpFamily.ofNumber(familyNumber);
    } catch (IllegalArgumentException e) {
      throw probe.error(probe.path("family"), e.getMessage());
    }
    Optional<TruthTable> expect = probe.string("expect").map(text -> {
      try {
        return TruthTable.parse(text);
      } catch (IllegalArgumentException e) {
        throw probe.error(probe.path("expect"), e.getMessage());
      }
    });
    return new Probe(path, probePort(probe, protocol), family, expect);
  }

  private static ProbePort probePort(YamlMap probe, Protocol protocol) {
    Optional<Object> port = probe.get("port");
    if (protocol == Protocol.ICMP) {
      return ProbePort.icmp();
    }
    if (port.isEmpty()) {
      throw probe.error(probe.path("port"), "must be set for " + protocol);
    }
    if (port.get() instanceof Integer number) {
      if (number < 1 || number > 65535) {
        throw probe.error(probe.path("port"), number + " is out of range 1-65535");
      }
      return ProbePort.number(protocol, number);
    }
    String name = probe.requiredString("port");
    if (name.isEmpty() || name.chars().noneMatch(Character::isLetter)) {
      throw probe.error(probe.path("port"), "'" + name + "' is neither a port number nor a "
          + "container port name");
    }
    return ProbePort.named(protocol, name);
  }
}
