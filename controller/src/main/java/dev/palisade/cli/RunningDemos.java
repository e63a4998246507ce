package dev.palisade.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a running {@code palisade demo} tells other commands on the machine: its API server's
 * kubeconfig and which network namespace is which node, one properties file per demo process
 * ({@code <pid>.properties}), written once its agents run and removed when its cluster goes.
 * {@code palisade logs --node node-1} reads it. A file whose process is gone (a demo killed with
 * SIGKILL) is ignored.
 */
public final class RunningDemos {
  /** Where demos publish themselves: tmpfs, gone at reboot with the namespaces it names. */
  public static final Path FOLDER = Path.of("/run/palisade/demos");
  private static final String KUBECONFIG = "kubeconfig";
  private static final String NODE_PREFIX = "node.";

  /** One demo: its process, API server and node namespaces by node name. */
  public record Demo(long pid, Path kubeconfig, Map<String, String> nodeNamespaces) {}

  private final Path folder;

  public RunningDemos(Path folder) {
    this.folder = folder;
  }

  /**
   * Publishes {@code demo} (replacing what its process published before), and removes what
   * demos killed with SIGKILL left behind.
   */
  public void publish(Demo demo) {
    listed().filter(file -> pid(file).filter(RunningDemos::alive).isEmpty())
        .forEach(this::delete);
    Properties properties = new Properties();
    properties.setProperty(KUBECONFIG, demo.kubeconfig().toAbsolutePath().toString());
    demo.nodeNamespaces().forEach((node, netns) ->
        properties.setProperty(NODE_PREFIX + node, netns));
    try {
      Files.createDirectories(folder);
      try (Writer out = Files.newBufferedWriter(file(demo.pid()))) {
        properties.store(out, "palisade demo " + demo.pid());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish the demo in " + folder, e);
    }
  }

  /** Removes what process {@code pid} published, if anything. */
  public void withdraw(long pid) {
    delete(file(pid));
  }

  /** The running demos that have a node of this name, oldest process first. */
  public List<Demo> withNode(String node) {
    return listed().map(this::read).flatMap(Optional::stream)
        .filter(demo -> demo.nodeNamespaces().containsKey(node))
        .filter(demo -> alive(demo.pid()))
        .sorted(Comparator.comparingLong(Demo::pid))
        .toList();
  }

  /** The files of the folder (none when it does not exist). */
  private Stream<Path> listed() {
    if (!Files.isDirectory(folder)) {
      return Stream.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    }
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** The process a file names, if it is one of ours ({@code <pid>.properties}). */
  private static Optional<Long> pid(Path file) {
    String name = file.getFileName().toString();
    return name.matches("\\d+\\.properties")
        ? Optional.of(Long.parseLong(name.substring(0, name.indexOf('.')))) : Optional.empty();
  }

  private void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + file, e);
    }
  }

  private Optional<Demo> read(Path file) {
    Optional<Long> pid = pid(file);
    if (pid.isEmpty()) {
      return Optional.empty();
    }
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      properties.load(in);
    } catch (IOException e) {
      return Optional.empty();
    }
    Map<String, String> nodes = new TreeMap<>();
    properties.stringPropertyNames().stream().filter(key -> key.startsWith(NODE_PREFIX))
        .forEach(key -> nodes.put(key.substring(NODE_PREFIX.length()),
            properties.getProperty(key)));
    return Optional.ofNullable(properties.getProperty(KUBECONFIG))
        .map(kubeconfig -> new Demo(pid.get(), Path.of(kubeconfig), nodes));
  }

  private Path file(long pid) {
    return folder.resolve(pid + ".properties");
  }
}
