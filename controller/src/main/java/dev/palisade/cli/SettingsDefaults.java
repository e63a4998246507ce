package dev.palisade.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option's value comes from when the command line does not give it: the environment
 * variable {@code PALISADE_<OPTION>} (e.g. {@code PALISADE_DENY_ACTION}), then the config file
 * named by {@code --config} or {@code PALISADE_CONFIG} (Java properties, keys are long option
 * names without dashes, e.g. {@code deny-action=REJECT}), then the documented default.
 */
final class SettingsDefaults implements IDefaultValueProvider {
  static final String CONFIG_OPTION = "--config";
  static final String CONFIG_ENV = "PALISADE_CONFIG";

  private final Map<String, String> environment;
  private final Properties file;

  private SettingsDefaults(Map<String, String> environment, Properties file) {
    this.environment = environment;
    this.file = file;
  }

  /**
   * Reads the config file that the arguments or the environment name, if any.
   *
   * @throws IllegalArgumentException naming the file when it cannot be read
   */
  static SettingsDefaults from(List<String> args, Map<String, String> environment) {
    String path = environment.get(CONFIG_ENV);
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.startsWith(CONFIG_OPTION + "=")) {
        path = arg.substring(CONFIG_OPTION.length() + 1);
      } else if (arg.equals(CONFIG_OPTION) && i + 1 < args.size()) {
        path = args.get(i + 1);
      }
    }
    Properties file = new Properties();
    if (path != null) {
      try (Reader reader = Files.newBufferedReader(Path.of(path))) {
        file.load(reader);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the config file " + path + ": " + e);
      }
    }
    return new SettingsDefaults(environment, file);
  }

  /**
   * Keys of the config file that name no option of {@code command}: a misspelt setting must not
   * be ignored silently.
   */
  List<String> unknownKeys(CommandSpec command) {
    return file.stringPropertyNames().stream()
        .filter(key -> command.findOption("--" + key) == null)
        .sorted()
        .toList();
  }

  @Override
  public String defaultValue(ArgSpec argument) {
    if (!(argument instanceof OptionSpec option) || !option.longestName().startsWith("--")) {
      return null;
    }
    String key = option.longestName().substring(2);
    String fromEnvironment = environment.get(
        "PALISADE_" + key.toUpperCase(Locale.ROOT).replace('-', '_'));
    if (fromEnvironment != null) {
      return fromEnvironment;
    }
    return file.getProperty(key);
  }
}
