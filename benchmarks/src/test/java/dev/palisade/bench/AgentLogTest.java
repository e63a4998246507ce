package dev.palisade.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AgentLogTest {
  private static final String LISTED = "2026-12-01T18:24:27.001Z [palisade-sync] INFO "
      + "dev.palisade.agent.AgentSync - initial lists received (3 namespaces, 300 pods, 30 "
      + "policies) at 8422 ms of process uptime\n";
  private static final String FIRST_SYNC = "2026-12-01T18:24:28.124Z [palisade-sync] INFO "
      + "dev.palisade.agent.AgentSync - first sync in 3418 ms, at 11840 ms of process uptime: "
      + "100 local endpoints, 30 policies; wrote nothing\n";

  @Test
  void aStartIsKnownOnceBothLinesAreLogged() {
    assertThat(AgentLog.start(LISTED)).isEmpty();
    AgentLog.Start start = AgentLog.start(LISTED + "other line\n" + FIRST_SYNC).orElseThrow();
    assertThat(start).isEqualTo(new AgentLog.Start(8422, 11840, 3418, 100, 30, "nothing",
        true));
    assertThat(start.listedToProgrammedMillis()).contains(3418L);
    assertThat(start.wroteNothing()).isTrue();
  }

  @Test
  void listsLoggedAfterTheFirstSyncLeaveTheInformerSyncUnknown() {
    AgentLog.Start start = AgentLog.start(FIRST_SYNC + LISTED.replace("8422", "11850"))
        .orElseThrow();
    assertThat(start.listedFirst()).isFalse();
    assertThat(start.listedToProgrammedMillis()).isEmpty();
  }

  @Test
  void aStartThatWroteSaysWhat() {
    AgentLog.Start start = AgentLog.start(LISTED + FIRST_SYNC.replace("wrote nothing",
        "wrote 3 sets created, 12 members added")).orElseThrow();
    assertThat(start.wroteNothing()).isFalse();
    assertThat(start.wrote()).isEqualTo("3 sets created, 12 members added");
  }
}
