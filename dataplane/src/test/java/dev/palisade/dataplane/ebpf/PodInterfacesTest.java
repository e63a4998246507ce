package dev.palisade.dataplane.ebpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import dev.palisade.dataplane.kernel.CommandResult;
import dev.palisade.model.ObjectRef;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodInterfacesTest {
  private static final String V4 = String.join("\n",
      "default via 10.0.0.1 dev eth0 proto dhcp src 10.0.0.5 metric 100 ",
      "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.5 ",
      "10.244.1.10 dev cali1234 scope link ",
      "10.244.1.11/32 dev vethab.1 scope link ",
      "10.244.2.10 via 10.0.0.7 dev eth0 ",
      "unreachable 10.244.9.9 ",
      "10.244.3.0/24 dev cni0 proto kernel scope link src 10.244.3.1 ");
  private static final String V6 = String.join("\n",
      "fd00:244:1::10 dev cali1234 metric 1024 pref medium",
      "fd00:244:1::/64 dev cni0 proto kernel metric 256 pref medium",
      "fe80::/64 dev eth0 proto kernel metric 256 pref medium");

  @Test
  void onlyDirectlyConnectedHostRoutesLeadToAPodsInterface() {
    assertThat(PodInterfaces.hostRoutes(V4 + "\n" + V6)).isEqualTo(Map.of(
        ip("10.244.1.10"), "cali1234",
        ip("10.244.1.11"), "vethab.1",
        ip("fd00:244:1::10"), "cali1234"));
  }

  @Test
  void podsWithoutAHostRouteAreUnresolvedAndNewAddressesReadTheRoutesAgain() {
    List<List<String>> commands = new ArrayList<>();
    String[] v4 = {V4};
    PodInterfaces interfaces = new PodInterfaces((argv, stdin) -> {
      commands.add(argv);
      return CommandResult.ok(argv.contains("-4") ? v4[0] : V6);
    });
    ObjectRef a = ObjectRef.of("x", "a");
    ObjectRef bridged = ObjectRef.of("x", "bridged");
    PodInterfaces.Resolution first = interfaces.resolve(Map.of(
        a, List.of(ip("10.244.1.10"), ip("fd00:244:1::10")),
        bridged, List.of(ip("10.244.3.5"))));
    assertThat(first.interfaces()).containsExactlyEntriesOf(Map.of(a, "cali1234"));
    assertThat(first.unresolved()).containsExactly(bridged);
    assertThat(commands).as("one read per family").hasSize(2);

    interfaces.resolve(Map.of(a, List.of(ip("10.244.1.10"))));
    commands.clear();
    interfaces.resolve(Map.of(a, List.of(ip("10.244.1.10"))));
    assertThat(commands).as("the same pods, all found: the routes read are trusted").isEmpty();

    v4[0] = V4 + "\n10.244.1.12 dev califfff scope link";
    ObjectRef c = ObjectRef.of("x", "c");
    assertThat(interfaces.resolve(Map.of(c, List.of(ip("10.244.1.12")))).interfaces())
        .containsExactlyEntriesOf(Map.of(c, "califfff"));
    assertThat(commands).as("a new address reads the routes again").hasSize(2);
  }

  /**
   * Pod churn with address reuse: x/a is deleted and x/new gets its address on another
   * interface. The address is among the routes read, but they lead to x/a's gone interface.
   */
  @Test
  void aNewPodWithADeletedPodsAddressReadsTheRoutesAgain() {
    List<List<String>> commands = new ArrayList<>();
    String[] v4 = {V4};
    PodInterfaces interfaces = new PodInterfaces((argv, stdin) -> {
      commands.add(argv);
      return CommandResult.ok(argv.contains("-4") ? v4[0] : V6);
    });
    ObjectRef a = ObjectRef.of("x", "a");
    assertThat(interfaces.resolve(Map.of(a, List.of(ip("10.244.1.10")))).interfaces())
        .containsExactlyEntriesOf(Map.of(a, "cali1234"));

    commands.clear();
    v4[0] = V4.replace("10.244.1.10 dev cali1234", "10.244.1.10 dev cali5678");
    ObjectRef reusing = ObjectRef.of("x", "new");
    assertThat(interfaces.resolve(Map.of(reusing, List.of(ip("10.244.1.10")))).interfaces())
        .containsExactlyEntriesOf(Map.of(reusing, "cali5678"));
    assertThat(commands).as("other pods: the routes are read again").hasSize(2);
  }

  @Test
  void aFailingRouteReadIsAnError() {
    PodInterfaces interfaces = new PodInterfaces((argv, stdin) ->
        new CommandResult(1, "", "Cannot open netlink socket"));
    assertThatThrownBy(() -> interfaces.resolve(Map.of(ObjectRef.of("x", "a"),
        List.of(ip("10.244.1.10"))))).hasMessageContaining("Cannot open netlink socket");
  }

  private static InetAddress ip(String text) {
    return InetAddresses.forString(text);
  }
}
