package dev.palisade.e2e.jar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The node's jar (controller/target/palisade.jar, the one the image ships) holds what runs on a
 * node or in the cluster and none of the test harness: no mock API server and its Vert.x, Netty
 * and BouncyCastle, no demo, no network-namespace lab; and nothing of Palisade's in it refers to
 * a class that was left out (which would fail only when that code path runs).
 */
class NodeJarTest {
  private static final Path JAR = Path.of(System.getProperty("palisade.jar",
      "../controller/target/palisade.jar"));
  private static final List<String> HARNESS = List.of("io/fabric8/mockwebserver/",
      "io/fabric8/kubernetes/client/server/mock/", "io/vertx/", "io/netty/", "org/bouncycastle/",
      "dev/palisade/demo/", "dev/palisade/dataplane/lab/");
  /** A line of {@code jdeps --missing-deps}: {@code   FROM -> TO   not found}. */
  private static final Pattern MISSING = Pattern.compile("^\\s*(\\S+)\\s+->\\s+(\\S+)\\s+not found");
  private static final Pattern JDK_PACKAGE = Pattern.compile("^(java|javax|jdk|sun|com\\.sun)\\..*");

  @Test
  void holdsNoneOfTheHarness() throws IOException {
    assertThat(Files.isRegularFile(JAR)).as(JAR + " is built (mvn package)").isTrue();
    try (ZipFile jar = new ZipFile(JAR.toFile())) {
      List<String> harness = jar.stream().map(ZipEntry::getName)
          .filter(name -> HARNESS.stream().anyMatch(name::startsWith)).toList();
      assertThat(harness).isEmpty();
      assertThat(jar.getEntry("dev/palisade/agent/Agent.class")).as("the agent").isNotNull();
      assertThat(jar.getEntry("dev/palisade/cli/Main.class")).as("the command line").isNotNull();
    }
  }

  /**
   * jdeps lists every reference it cannot resolve inside the jar; the JDK's own modules other
   * than java.base count as missing to it and are left out here.
   */
  @Test
  void everyClassOfPalisadeFindsWhatItUses() {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(
        () -> new IllegalStateException("no jdeps in this JDK (a JRE runs the tests?)"));
    StringWriter out = new StringWriter();
    int status = jdeps.run(new PrintWriter(out, true), new PrintWriter(out, true),
        "--multi-release", "17", "--missing-deps", JAR.toString());
    assertThat(status).as(out.toString()).isZero();
    List<String> unresolved = out.toString().lines()
        .map(MISSING::matcher).filter(Matcher::find)
        .filter(line -> line.group(1).startsWith("dev.palisade."))
        .filter(line -> !JDK_PACKAGE.matcher(line.group(2)).matches())
        .map(line -> line.group(1) + " -> " + line.group(2)).toList();
    assertThat(out.toString()).as("jdeps read Palisade's classes").contains("dev.palisade.");
    assertThat(unresolved).isEmpty();
  }
}
