package dev.palisade.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.palisade.model.ObjectRef;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventPlannerTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration REFRESH = Duration.ofMinutes(30);
  private static final NetworkPolicy POLICY = new NetworkPolicyBuilder()
      .withNewMetadata().withNamespace("x").withName("web").withUid("u1")
      .withResourceVersion("7").endMetadata()
      .build();
  private static final PolicyNotice SELECTS_NONE = warning("PAL001", "selects no pod");
  private static final PolicyNotice OPEN_PEER = warning("PAL002", "allows everyone");

  private final EventPlanner planner = new EventPlanner(REFRESH, "replica-1");

  /** The notices at some minute after {@link #START}. */
  record Step(int minute, List<PolicyNotice> notices) {}

  static Stream<Arguments> plans() {
    return Stream.of(
        Arguments.of("a new finding is one Event", List.of(),
            new Step(0, List.of(SELECTS_NONE)),
            List.of("create palisade.u1.pal001 PAL001 Warning x1 selects no pod")),
        Arguments.of("an information is a Normal Event", List.of(),
            new Step(0, List.of(new PolicyNotice(ref(), "PAL009", false, "fyi"))),
            List.of("create palisade.u1.pal009 PAL009 Normal x1 fyi")),
        Arguments.of("the same finding before the refresh writes nothing",
            List.of(new Step(0, List.of(SELECTS_NONE))),
            new Step(29, List.of(SELECTS_NONE)),
            List.of()),
        Arguments.of("the same finding at the refresh counts once more",
            List.of(new Step(0, List.of(SELECTS_NONE))),
            new Step(30, List.of(SELECTS_NONE)),
            List.of("update palisade.u1.pal001 PAL001 Warning x2 selects no pod")),
        Arguments.of("a new text updates the Event at once",
            List.of(new Step(0, List.of(SELECTS_NONE))),
            new Step(1, List.of(warning("PAL001", "still selects no pod"))),
            List.of("update palisade.u1.pal001 PAL001 Warning x2 still selects no pod")),
        Arguments.of("a fixed finding: its Event goes, a Resolved Event says what was fixed",
            List.of(new Step(0, List.of(SELECTS_NONE))),
            new Step(1, List.of()),
            List.of("create palisade.u1.pal001.resolved PAL001Resolved Normal x1 "
                    + "Resolved: selects no pod",
                "delete palisade.u1.pal001")),
        Arguments.of("a fixed finding is resolved once",
            List.of(new Step(0, List.of(SELECTS_NONE)), new Step(1, List.of())),
            new Step(2, List.of()),
            List.of()),
        Arguments.of("a finding that comes back replaces its Resolved Event",
            List.of(new Step(0, List.of(SELECTS_NONE)), new Step(1, List.of())),
            new Step(2, List.of(SELECTS_NONE)),
            List.of("create palisade.u1.pal001 PAL001 Warning x1 selects no pod",
                "delete palisade.u1.pal001.resolved")),
        Arguments.of("findings with one code share one Event", List.of(),
            new Step(0, List.of(warning("PAL001", "b"), warning("PAL001", "a"))),
            List.of("create palisade.u1.pal001 PAL001 Warning x1 a; b")),
        Arguments.of("codes are independent",
            List.of(new Step(0, List.of(SELECTS_NONE, OPEN_PEER))),
            new Step(1, List.of(OPEN_PEER)),
            List.of("create palisade.u1.pal001.resolved PAL001Resolved Normal x1 "
                    + "Resolved: selects no pod",
                "delete palisade.u1.pal001")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void plans(String name, List<Step> history, Step now, List<String> expected) {
    Map<String, Event> server = new TreeMap<>();
    history.forEach(step -> apply(server, plan(step, server)));
    assertThat(render(plan(now, server))).isEqualTo(expected);
  }

  @Test
  void anEventNamesItsPolicyAndCarriesTheLabelsToFindItAgain() {
    Event event = plan(new Step(0, List.of(SELECTS_NONE)), Map.of()).creates().get(0);

    assertThat(event.getMetadata().getNamespace()).isEqualTo("x");
    assertThat(event.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of(
        EventPlanner.MANAGED_BY_LABEL, EventPlanner.MANAGED_BY,
        EventPlanner.POLICY_UID_LABEL, "u1",
        EventPlanner.CODE_LABEL, "PAL001",
        EventPlanner.STATE_LABEL, EventPlanner.OPEN));
    assertThat(event.getInvolvedObject().getKind()).isEqualTo("NetworkPolicy");
    assertThat(event.getInvolvedObject().getApiVersion()).isEqualTo("networking.k8s.io/v1");
    assertThat(event.getInvolvedObject().getName()).isEqualTo("web");
    assertThat(event.getInvolvedObject().getUid()).isEqualTo("u1");
    assertThat(event.getFirstTimestamp()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(event.getReportingInstance()).isEqualTo("replica-1");
  }

  @Test
  void aLongMessageIsCutToTheApiLimit() {
    String text = "x".repeat(2000);
    Event event = plan(new Step(0, List.of(warning("PAL001", text))), Map.of()).creates().get(0);

    assertThat(event.getMessage()).hasSize(EventPlanner.MESSAGE_LIMIT).endsWith("...");
  }

  @Test
  void aDeletedPolicyLosesEveryEvent() {
    Map<String, Event> server = new TreeMap<>();
    apply(server, plan(new Step(0, List.of(SELECTS_NONE, OPEN_PEER)), server));
    apply(server, plan(new Step(1, List.of(OPEN_PEER)), server));

    assertThat(planner.forget(List.copyOf(server.values())).deletes())
        .containsExactlyInAnyOrder("palisade.u1.pal001.resolved", "palisade.u1.pal002");
  }

  private EventChanges plan(Step step, Map<String, Event> server) {
    return planner.plan(POLICY, step.notices(), List.copyOf(server.values()),
        START.plus(Duration.ofMinutes(step.minute())));
  }

  /** What the API server would hold after the writes. */
  private static void apply(Map<String, Event> server, EventChanges changes) {
    changes.deletes().forEach(server::remove);
    Stream.concat(changes.creates().stream(), changes.updates().stream())
        .forEach(event -> server.put(event.getMetadata().getName(), event));
  }

  private static List<String> render(EventChanges changes) {
    List<String> lines = new ArrayList<>();
    changes.creates().forEach(event -> lines.add("create " + describe(event)));
    changes.updates().forEach(event -> lines.add("update " + describe(event)));
    changes.deletes().forEach(name -> lines.add("delete " + name));
    return lines;
  }

  private static String describe(Event event) {
    return event.getMetadata().getName() + " " + event.getReason() + " " + event.getType()
        + " x" + event.getCount() + " " + event.getMessage();
  }

  private static PolicyNotice warning(String code, String text) {
    return new PolicyNotice(ref(), code, true, text);
  }

  private static ObjectRef ref() {
    return ObjectRef.of("x", "web");
  }
}
