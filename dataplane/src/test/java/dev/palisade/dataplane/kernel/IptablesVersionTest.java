package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.palisade.model.IpFamily;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IptablesVersionTest {
  static Stream<Arguments> versions() {
    return Stream.of(
        Arguments.of("iptables v1.8.9 (nf_tables)", false, true, "--wait"),
        Arguments.of("iptables v1.8.9 (legacy)", true, true, "--wait"),
        Arguments.of("iptables v1.6.2", true, true, "--wait"),
        Arguments.of("iptables v1.6.1", true, false, "no --wait"),
        Arguments.of("iptables v1.4.21", true, false, "no --wait"));
  }

  @ParameterizedTest(name = "{0}: {3}")
  @MethodSource("versions")
  void decidesWhoHoldsTheXtablesLock(String output, boolean legacy, boolean restoreLocks,
      String waitFlag) {
    IptablesVersion version = IptablesVersion.parse(output + "\n");

    assertThat(version.legacy()).isEqualTo(legacy);
    assertThat(version.restoreLocksItself()).isEqualTo(restoreLocks);
    assertThat(KernelTools.forVersion(IptablesBackend.ONLY_ONE, version).restore(IpFamily.V4)
        .contains("--wait")).isEqualTo(restoreLocks);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("versions")
  void oldLegacyGetsTheFileLockAndEveryOtherNone(String output, boolean legacy,
      boolean restoreLocks) {
    XtablesLock fileLock = new XtablesLock(null, XtablesLock.DEFAULT_PATH,
        Duration.ZERO, d -> { });

    TableLock chosen = TableLock.forVersion(IptablesVersion.parse(output), fileLock);

    assertThat(chosen == fileLock).isEqualTo(!restoreLocks);
  }

  @Test
  void unreadableVersionIsAClearError() {
    assertThatThrownBy(() -> IptablesVersion.parse("command not found"))
        .hasMessageContaining("command not found");
  }
}
