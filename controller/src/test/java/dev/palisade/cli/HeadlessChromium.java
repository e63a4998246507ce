package dev.palisade.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's chromium, headless, one process per page: the DOM after the page's scripts ran, or a
 * screenshot. Each run gets a fresh profile folder (removed afterwards) and every switch that
 * keeps chromium off the network, so a page that tried to fetch something would fail to show
 * it. A missing chromium fails the test that needs it: .ci/setup installs it.
 */
final class HeadlessChromium {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final List<String> SWITCHES = List.of("--headless", "--no-sandbox",
      "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--hide-scrollbars");

  private final Path binary;

  private HeadlessChromium(Path binary) {
    this.binary = binary;
  }

  /** Chromium from the PATH, or an assertion failure that says how to install it. */
  static HeadlessChromium onPath() {
    return new HeadlessChromium(InstalledTool.require("chromium", "chromium"));
  }

  /** The page's DOM, serialized after its scripts ran (the URL may carry a #fragment). */
  String dumpDom(Path page, String fragment) throws IOException, InterruptedException {
    return run(List.of("--dump-dom", page.toUri() + fragment));
  }

  /** Writes a PNG of the page as a window of the given size shows it. */
  void screenshot(Path page, Path png, int width, int height)
      throws IOException, InterruptedException {
    Files.deleteIfExists(png);
    run(List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
        page.toUri().toString()));
  }

  private String run(List<String> arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(SWITCHES);
    command.add("--user-data-dir={work}/profile");
    command.addAll(arguments);
    return InstalledTool.run(command, "", TIMEOUT);
  }
}
