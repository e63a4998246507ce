package dev.palisade.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableMap;
import dev.palisade.model.IpFamily;
import dev.palisade.model.lint.Finding;
import dev.palisade.model.Protocol;
import dev.palisade.scenario.CellChange;
import dev.palisade.scenario.EndpointMatrix;
import dev.palisade.scenario.Matrix;
import dev.palisade.scenario.Mismatch;
import dev.palisade.scenario.ProbePort;
import dev.palisade.scenario.ProbeResult;
import dev.palisade.scenario.Reachability;
import dev.palisade.scenario.ScenarioResult;
import dev.palisade.scenario.StepResult;
import dev.palisade.scenario.TruthTable;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * SCENARIO.md's JSON result. {@code port} is the number or name the probe gave (absent for
 * ICMP); {@code family} appears only for IPv6 probes, as 4 is the file format's default.
 */
final class JsonRenderer {
  private final ObjectMapper mapper = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  String scenario(ScenarioResult result, String mode) {
    ObjectNode root = mapper.createObjectNode();
    root.put("scenario", result.scenario().name());
    root.put("mode", mode);
    root.put("passed", result.passed());
    ArrayNode steps = root.putArray("steps");
    for (StepResult step : result.steps()) {
      ObjectNode stepNode = steps.addObject();
      stepNode.put("name", step.name());
      step.enforcedAfterMs().ifPresent(ms -> stepNode.put("enforcedAfterMs", ms));
      ArrayNode probes = stepNode.putArray("probes");
      for (ProbeResult probe : step.probes()) {
        ObjectNode probeNode = probes.addObject();
        port(probeNode, probe.observed());
        probeNode.set("observed", cells(probe.observed().cells()));
        // A probe without a table checks nothing: its expectations are the empty map.
        probeNode.set("expected", cells(probe.expected().map(TruthTable::cells)
            .orElse(ImmutableMap.of())));
        ArrayNode mismatches = probeNode.putArray("mismatches");
        for (Mismatch mismatch : probe.mismatches()) {
          mismatches.addObject()
              .put("from", mismatch.from().toString())
              .put("to", mismatch.to().toString())
              .put("expected", mismatch.expected().word())
              .put("observed", mismatch.observed().word());
        }
      }
    }
    return write(root);
  }

  /** The matrices of {@code palisade matrix -f}: the probes of one step, without expectations. */
  String matrices(Iterable<Matrix> matrices) {
    ObjectNode root = matrixDocument();
    matrices.forEach(matrix -> addProbe(root, matrix.port(), matrix.family(), matrix.cells()));
    return write(root);
  }

  /** The matrices of {@code palisade matrix --from/--to}: ends may be addresses. */
  String endpointMatrices(Iterable<EndpointMatrix> matrices) {
    ObjectNode root = matrixDocument();
    matrices.forEach(matrix -> addProbe(root, matrix.port(), matrix.family(),
        matrix.cells().rowMap()));
    return write(root);
  }

  private ObjectNode matrixDocument() {
    ObjectNode root = mapper.createObjectNode();
    root.put("mode", "matrix");
    root.putArray("probes");
    return root;
  }

  private void addProbe(ObjectNode document, ProbePort port, IpFamily family,
      Map<?, ? extends Map<?, Reachability>> rows) {
    ObjectNode probeNode = ((ArrayNode) document.get("probes")).addObject();
    port(probeNode, port, family);
    probeNode.set("observed", cells(rows));
  }

  /**
   * {@code palisade diff -o json}: the changed cells; {@code before} or {@code after} is null
   * where the pod is no endpoint in that state.
   */
  String changes(List<CellChange> changes) {
    ObjectNode root = mapper.createObjectNode();
    ArrayNode list = root.putArray("changes");
    for (CellChange change : changes) {
      ObjectNode node = list.addObject()
          .put("from", change.source().toString())
          .put("to", change.destination().toString());
      port(node, change.port(), change.family());
      node.put("before", change.before().map(Reachability::word).orElse(null));
      node.put("after", change.after().map(Reachability::word).orElse(null));
    }
    return write(root);
  }

  /** {@code palisade lint -o json}: the findings, each with the file it was read from. */
  String findings(List<Finding> findings, Function<Finding, String> origin) {
    ObjectNode root = mapper.createObjectNode();
    ArrayNode list = root.putArray("findings");
    for (Finding finding : findings) {
      list.addObject()
          .put("code", finding.code())
          .put("severity", finding.severity().name())
          .put("object", LintCommand.object(finding))
          .put("file", origin.apply(finding))
          .put("message", finding.message())
          .put("hint", finding.hint());
    }
    return write(root);
  }

  private static void port(ObjectNode node, Matrix matrix) {
    port(node, matrix.port(), matrix.family());
  }

  private static void port(ObjectNode node, ProbePort port, IpFamily family) {
    if (port.protocol() != Protocol.ICMP) {
      if (port.isNamed()) {
        node.put("port", port.name());
      } else {
        node.put("port", port.number());
      }
    }
    node.put("protocol", port.protocol().name());
    if (family == IpFamily.V6) {
      node.put("family", 6);
    }
  }

  /** Rows by source, cells by destination, each end written as its string form. */
  private ObjectNode cells(Map<?, ? extends Map<?, Reachability>> rows) {
    ObjectNode node = mapper.createObjectNode();
    rows.forEach((source, row) -> {
      ObjectNode rowNode = node.putObject(source.toString());
      row.forEach((destination, value) -> rowNode.put(destination.toString(), value.word()));
    });
    return node;
  }

  private String write(ObjectNode root) {
    try {
      return mapper.writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings always serializes", e);
    }
  }
}
