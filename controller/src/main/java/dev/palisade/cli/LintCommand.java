package dev.palisade.cli;

import dev.palisade.k8s.FailClosedPolicy;
import dev.palisade.k8s.InvalidInputException;
import dev.palisade.k8s.ObjectKey;
import dev.palisade.model.lint.Finding;
import dev.palisade.model.lint.Linter;
import dev.palisade.model.lint.Severity;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code palisade lint}: likely mistakes in NetworkPolicy manifests, with a fix for each. */
@Command(name = "lint", mixinStandardHelpOptions = true,
    description = {
        "Finds likely mistakes in the NetworkPolicies of the manifests: a policy that selects "
            + "no pod, namespaceSelector and podSelector split into two peers, a named port no "
            + "pod declares, host bits in a CIDR, an except outside its cidr, Egress without "
            + "egress rules, endPort with a named port, rules that policyTypes ignores, a policy "
            + "that the API server stores but Palisade enforces fail-closed "
            + "(InvalidNetworkPolicy).",
        "Reads the manifests of -f, or else the live cluster of the kubeconfig.",
        "Exit status: 0 no error (warnings allowed), 1 an ERROR finding, 2 unusable input."})
final class LintCommand implements Callable<Integer> {
  @Mixin
  private ManifestReading reading;

  @Mixin
  private ClusterSource source;

  @Spec
  private CommandSpec spec;

  @Option(names = {"-f", "--filename"}, arity = "1..*", paramLabel = "PATH",
      description = "Manifest files or folders (*.yaml, *.yml, *.json, recursively).")
  private List<Path> manifests;

  @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
      description = "table (default) or json.")
  private OutputFormat output;

  @Override
  public Integer call() {
    output.requireOneOf(spec, OutputFormat.table, OutputFormat.json);
    ClusterSource.View view = source.read(manifests, reading);
    ManifestCluster loaded = view.loaded();
    List<Finding> findings = new ArrayList<>(new Linter().lint(loaded.cluster().graph()));
    loaded.cluster().failingClosed().forEach(policy -> findings.add(invalidPolicy(policy)));
    findings.removeIf(finding -> !view.shown().shows(finding.policy()));
    findings.sort(null);
    PrintWriter out = spec.commandLine().getOut();
    if (output == OutputFormat.json) {
      out.print(new JsonRenderer().findings(findings, finding -> origin(loaded, finding)));
    } else {
      for (Finding finding : findings) {
        out.println(finding.code() + " " + finding.severity() + " " + object(finding) + " ("
            + origin(loaded, finding) + "): " + finding.message());
        out.println("  fix: " + finding.hint());
      }
      out.println(summary(findings));
    }
    out.flush();
    boolean anyError = findings.stream().anyMatch(f -> f.severity() == Severity.ERROR);
    return anyError ? ExitCode.FAILED : ExitCode.OK;
  }

  /**
   * A policy the agent would enforce fail-closed: an error, as the controller reports it
   * (InvalidNetworkPolicy), since the policy does not do what it says.
   */
  private static Finding invalidPolicy(FailClosedPolicy policy) {
    InvalidInputException refusal = policy.refusal();
    return new Finding("InvalidNetworkPolicy", Severity.ERROR, policy.standIn().ref(),
        refusal.field().text() + ": " + refusal.problem() + "; " + policy.consequence(),
        "write the field as the NetworkPolicy API reference defines it");
  }

  static String object(Finding finding) {
    return "NetworkPolicy " + finding.policy();
  }

  private static String origin(ManifestCluster loaded, Finding finding) {
    return loaded.origins().get(new ObjectKey("NetworkPolicy", finding.policy().namespace(),
        finding.policy().name()));
  }

  /** e.g. "3 findings: 1 error, 2 warnings, 0 info" or "no findings". */
  private static String summary(List<Finding> findings) {
    if (findings.isEmpty()) {
      return "no findings";
    }
    Map<Severity, Integer> counts = new EnumMap<>(Severity.class);
    findings.forEach(finding -> counts.merge(finding.severity(), 1, Integer::sum));
    int errors = counts.getOrDefault(Severity.ERROR, 0);
    int warnings = counts.getOrDefault(Severity.WARNING, 0);
    return findings.size() + (findings.size() == 1 ? " finding: " : " findings: ")
        + errors + (errors == 1 ? " error, " : " errors, ")
        + warnings + (warnings == 1 ? " warning, " : " warnings, ")
        + counts.getOrDefault(Severity.INFO, 0) + " "
        + Severity.INFO.name().toLowerCase(Locale.ROOT);
  }
}
