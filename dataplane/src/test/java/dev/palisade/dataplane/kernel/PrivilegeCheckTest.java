package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivilegeCheckTest {
  @TempDir Path dir;

  private Path status(String capEff) throws Exception {
    return Files.writeString(dir.resolve("status"),
        "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t" + capEff + "\n");
  }

  @Test
  void rootPasses() throws Exception {
    assertThatCode(() -> PrivilegeCheck.requireNetAdmin(0, status("0000000000000000")))
        .doesNotThrowAnyException();
  }

  @Test
  void netAdminCapabilityPassesWithoutRoot() throws Exception {
    assertThatCode(() -> PrivilegeCheck.requireNetAdmin(1000, status("0000000000001000")))
        .doesNotThrowAnyException();
  }

  @Test
  void neitherFailsSayingWhatToGrant() throws Exception {
    Path status = status("00000000a80405fb");
    assertThatThrownBy(() -> PrivilegeCheck.requireNetAdmin(1000, status))
        .hasMessageContaining("root or CAP_NET_ADMIN").hasMessageContaining("uid 1000");
  }
}
