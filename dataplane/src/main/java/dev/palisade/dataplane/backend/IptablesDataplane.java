package dev.palisade.dataplane.backend;

import com.google.common.collect.ImmutableList;
import dev.palisade.dataplane.compile.IncrementalNodeCompiler;
import dev.palisade.dataplane.compile.NodeStateCompiler;
import dev.palisade.dataplane.compile.StableNames;
import dev.palisade.dataplane.kernel.ApplyResult;
import dev.palisade.dataplane.kernel.KernelCommandException;
import dev.palisade.dataplane.kernel.KernelWriter;
import dev.palisade.dataplane.kernel.KernelWriter.KernelView;
import dev.palisade.dataplane.kernel.PacketCounterReader;
import dev.palisade.dataplane.kernel.PacketCounts;
import dev.palisade.dataplane.state.ChainOwner;
import dev.palisade.dataplane.state.ChainSpec;
import dev.palisade.dataplane.state.DesiredState;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.dataplane.walk.PacketWalker;
import dev.palisade.dataplane.walk.PacketWalker.Packet;
import dev.palisade.dataplane.walk.PacketWalker.Step;
import dev.palisade.dataplane.walk.PacketWalker.Trace;
import dev.palisade.model.GraphDelta;
import dev.palisade.model.IpFamily;
import dev.palisade.model.RuleGraph;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The iptables backend: the node plan compiled into chains and ipsets ({@link
 * IncrementalNodeCompiler}), written by diff with {@code iptables-restore} and {@code ipset
 * restore} ({@link KernelWriter}), counted from the rules' packet counters, explained by walking
 * the first packet through the chains ({@link PacketWalker}).
 */
public final class IptablesDataplane implements Dataplane<DesiredState> {
  private final NodeStateCompiler compiler;
  private final KernelWriter writer;
  private final PacketCounterReader counters;
  private final StableNames names;
  /**
   * The chains last counted for the rules gauge, per family, and their rules: a sync that
   * changed set members only keeps the same chains (the same map), which at 10,000 pods hold
   * 1,700 rules in 550 chains, counted once.
   */
  private final Map<IpFamily, CountedChains> counted = new ConcurrentHashMap<>();

  private record CountedChains(Map<String, ChainSpec> chains, long rules) {}

  /** Walkers of the last state explained, per family: its rules parsed once. */
  private Walkers walkers;

  private record Walkers(DesiredState state, Map<IpFamily, PacketWalker> byFamily) {}

  /**
   * @param compiler the node's state for the graph, given what changed since its last call (an
   *     {@link IncrementalNodeCompiler})
   * @param names the names {@code compiler} gives (its installation's): the stage chains
   */
  public IptablesDataplane(NodeStateCompiler compiler, KernelWriter writer,
      PacketCounterReader counters, StableNames names) {
    this.compiler = compiler;
    this.writer = writer;
    this.counters = counters;
    this.names = names;
  }

  @Override
  public String name() {
    return "iptables";
  }

  @Override
  public DesiredState compile(RuleGraph graph, GraphDelta changes) {
    return compiler.compile(graph, changes);
  }

  @Override
  public boolean rehearse(RuleGraph graph, int turn) {
    return compiler.rehearse(graph, turn).flatMap(writer::rehearse).isPresent();
  }

  @Override
  public boolean rehearseFirstSync(RuleGraph graph) {
    return compiler.rehearseFirst(graph).map(writer::rehearseFirst).isPresent();
  }

  @Override
  public Outcome apply(DesiredState desired, View view, Runnable inForce) {
    return outcome(writer.apply(desired,
        view == View.READ ? KernelView.READ : KernelView.REMEMBERED, inForce));
  }

  @Override
  public Outcome cleanup() {
    return outcome(writer.cleanup());
  }

  /** Ends the writer's ipset session, if it has one. */
  @Override
  public void close() {
    writer.close();
  }

  private static Outcome outcome(ApplyResult result) {
    if (result instanceof ApplyResult.Failed failed) {
      return Outcome.failed(failed.describe(), failed.written().wroteNothing(),
          failed.written().describe());
    }
    return Outcome.succeeded(result.written().wroteNothing(), result.written().describe(),
        result.leftovers());
  }

  @Override
  public PacketCounts counts(DesiredState enforced) throws IOException {
    try {
      return counters.read(enforced);
    } catch (KernelCommandException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  @Override
  public List<Footprint> footprint(DesiredState state) {
    List<Footprint> gauges = new ArrayList<>();
    for (IpFamily family : IpFamily.values()) {
      FamilyState tables = state.family(family);
      String tag = "ipv" + family.number();
      gauges.add(Footprint.of("palisade.rules", "family", tag,
          ruleCount(family, tables.chains()) + tables.hooks().size()));
      gauges.add(Footprint.of("palisade.sets", "family", tag, tables.sets().size()));
    }
    return ImmutableList.copyOf(gauges);
  }

  private long ruleCount(IpFamily family, Map<String, ChainSpec> chains) {
    CountedChains last = counted.get(family);
    if (last != null && last.chains() == chains) {
      return last.rules();
    }
    long rules = chains.values().stream().mapToLong(chain -> chain.rules().size()).sum();
    counted.put(family, new CountedChains(chains, rules));
    return rules;
  }

  /**
   * The first packet walked from the direction's stage chain; the rule that decided, with its
   * chain, whose chain it is and the sets it matches.
   */
  @Override
  public Map<String, Object> explain(DesiredState enforced, Lookup lookup) {
    Map<String, Object> json = new LinkedHashMap<>();
    FamilyState family = enforced.family(lookup.family());
    Trace trace;
    try {
      trace = walker(enforced, lookup.family()).traceChain(names.stageChain(lookup.direction()),
          new Packet(lookup.source(), lookup.destination(), lookup.protocol(), lookup.port()));
    } catch (IllegalArgumentException | IllegalStateException e) {
      json.put("error", "cannot walk the enforced rules: " + e.getMessage());
      return json;
    }
    json.put("outcome", trace.outcome().name());
    json.put("allows", trace.outcome() == PacketWalker.Outcome.PASSED);
    deciding(trace, family).ifPresent(step -> {
      json.put("chain", step.chain());
      Optional.ofNullable(family.owners().get(step.chain())).ifPresent(owner ->
          json.put("chainOf", owner(owner)));
      json.put("rule", step.rule());
      json.put("sets", PacketWalker.setsOf(step.rule()));
    });
    return json;
  }

  /**
   * The rule that decided: the first rule of a policy chain that matched (a policy that allows
   * the connection marks it there), else the last rule that matched (the stage chain's return of
   * a pod that is not isolated, or the pod chain's drop).
   */
  private static Optional<Step> deciding(Trace trace, FamilyState family) {
    Optional<Step> allowing = trace.steps().stream().filter(Step::matched)
        .filter(step -> Optional.ofNullable(family.owners().get(step.chain()))
            .map(owner -> owner.kind() == ChainOwner.Kind.POLICY).orElse(false))
        .findFirst();
    if (allowing.isPresent()) {
      return allowing;
    }
    return trace.steps().stream().filter(Step::matched).reduce((first, second) -> second);
  }

  private static String owner(ChainOwner owner) {
    return owner.kind().name().toLowerCase(Locale.ROOT) + " " + owner.ref() + " "
        + owner.direction().title().toLowerCase(Locale.ROOT);
  }

  private synchronized PacketWalker walker(DesiredState state, IpFamily family) {
    if (walkers == null || walkers.state() != state) {
      walkers = new Walkers(state, new EnumMap<>(IpFamily.class));
    }
    return walkers.byFamily().computeIfAbsent(family,
        f -> new PacketWalker(state.family(f)));
  }
}
