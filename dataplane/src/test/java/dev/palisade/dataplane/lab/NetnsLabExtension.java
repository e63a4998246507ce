package dev.palisade.dataplane.lab;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh {@link NetnsLab} for every test, closed after it whatever the outcome:
 * {@code @RegisterExtension final NetnsLabExtension lab = new NetnsLabExtension(3);}.
 */
public final class NetnsLabExtension implements BeforeEachCallback, AfterEachCallback {
  private final int pods;
  private NetnsLab lab;

  public NetnsLabExtension(int pods) {
    this.pods = pods;
  }

  public NetnsLab lab() {
    if (lab == null) {
      throw new IllegalStateException("the lab exists only while a test runs");
    }
    return lab;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    lab = NetnsLab.start(pods);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (lab != null) {
      lab.close();
      lab = null;
    }
  }
}
