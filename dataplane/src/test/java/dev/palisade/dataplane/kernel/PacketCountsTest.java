package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import dev.palisade.dataplane.kernel.PacketCounts.PodDirection;
import dev.palisade.dataplane.state.ChainOwner;
import dev.palisade.dataplane.state.FamilyState;
import dev.palisade.model.Direction;
import dev.palisade.model.IpFamily;
import dev.palisade.model.ObjectRef;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PacketCountsTest {
  private static final ObjectRef POD = ObjectRef.of("x", "a");
  private static final ObjectRef WEB = ObjectRef.of("x", "web");
  private static final ObjectRef ALL = ObjectRef.of("x", "all");
  /** The names are arbitrary: only the compiler's record says whose chain is whose. */
  private static final FamilyState STATE = new FamilyState(IpFamily.V4, ImmutableSortedMap.of(),
      ImmutableList.of(), ImmutableSortedMap.of(), ImmutableSortedMap.of(
          "P-POD", ChainOwner.pod(POD, Direction.INGRESS),
          "P-WEB", ChainOwner.policy(WEB, Direction.INGRESS),
          "P-ALL", ChainOwner.policy(ALL, Direction.INGRESS)));
  private static final String SAVE = String.join("\n",
      "*filter",
      ":P-POD - [0:0]",
      "[7:420] -A PALISADE-INGRESS -d 10.0.1.10/32 -m comment --comment \"pal:1\" -j P-POD",
      "[7:420] -A P-POD -m comment --comment \"pal:2\" -j MARK --set-xmark 0x0/0x10000",
      "[7:420] -A P-POD -m comment --comment \"pal:3\" -j P-WEB",
      "[3:180] -A P-POD -m mark --mark 0x10000/0x10000 -m comment --comment \"pal:4\" -j RETURN",
      "[4:240] -A P-POD -m comment --comment \"pal:5\" -j P-ALL",
      "[1:60] -A P-POD -m mark --mark 0x10000/0x10000 -m comment --comment \"pal:6\" -j RETURN",
      "[2:120] -A P-POD -p tcp -m comment --comment \"pal:7\" -j REJECT --reject-with tcp-reset",
      "[1:60] -A P-POD -m comment --comment \"pal:8\" -j REJECT --reject-with "
          + "icmp-port-unreachable",
      "[5:300] -A P-WEB -p tcp -m tcp --dport 80 -m comment --comment \"pal:9\" -j MARK "
          + "--set-xmark 0x10000/0x10000",
      "[9:540] -A P-OLD -m comment --comment \"pal:a\" -j DROP",
      "COMMIT",
      "");

  @Test
  void deniedIsWhatThePodChainRejectsAndAllowedIsTheReturnAfterEachPolicy() {
    PacketCounts counts = PacketCounts.read(STATE, SAVE);

    assertThat(counts.denied()).isEqualTo(Map.of(new PodDirection(POD, Direction.INGRESS), 3L));
    assertThat(counts.allowed()).isEqualTo(Map.of(WEB, 3L, ALL, 1L));
  }

  @Test
  void familiesAddUp() {
    PacketCounts v4 = PacketCounts.read(STATE, SAVE);

    PacketCounts both = v4.plus(v4).plus(PacketCounts.NONE);

    assertThat(both.denied()).isEqualTo(Map.of(new PodDirection(POD, Direction.INGRESS), 6L));
    assertThat(both.allowed()).isEqualTo(Map.of(WEB, 6L, ALL, 2L));
  }

  @Test
  void aChainTheStateDoesNotNameCountsForNobody() {
    assertThat(PacketCounts.read(STATE, "[9:540] -A P-OLD -m comment --comment \"pal:a\" -j DROP"))
        .isEqualTo(PacketCounts.NONE);
  }
}
