package dev.palisade.dataplane.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jnr.posix.POSIXFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** flock(2) through jnr-posix, on a private file (never the machine's /run/xtables.lock). */
class XtablesLockTest {
  @TempDir Path dir;

  private boolean lockedByOthers(Path file) {
    CommandResult result = new ProcessCommandRunner(Duration.ofSeconds(5))
        .run(List.of("flock", "-n", file.toString(), "true"));
    return result.exitCode() != 0;
  }

  @Test
  void holdsTheLockUntilClosed() {
    Path file = dir.resolve("xtables.lock");
    XtablesLock lock = new XtablesLock(POSIXFactory.getNativePOSIX(), file,
        Duration.ofSeconds(1), Sleeper.system());

    try (TableLock.Held held = lock.acquire()) {
      assertThat(lockedByOthers(file)).isTrue();
    }
    assertThat(lockedByOthers(file)).isFalse();
  }

  @Test
  void aHolderThatNeverLetsGoIsAClearError() {
    Path file = dir.resolve("xtables.lock");
    XtablesLock lock = new XtablesLock(POSIXFactory.getNativePOSIX(), file, Duration.ZERO,
        d -> { });
    try (TableLock.Held held = lock.acquire()) {
      XtablesLock second = new XtablesLock(POSIXFactory.getNativePOSIX(), file,
          Duration.ofMillis(100), d -> { });
      assertThatThrownBy(second::acquire).hasMessageContaining(file.toString())
          .hasMessageContaining("held");
    }
  }
}
