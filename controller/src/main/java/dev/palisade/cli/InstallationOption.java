package dev.palisade.cli;

import dev.palisade.dataplane.state.Installation;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --instance ID}: which Palisade installation's chains and sets a command compiles,
 * writes or removes; shared by {@code agent}, {@code render} and {@code cleanup}, so that
 * cleaning up one installation leaves another alone.
 */
final class InstallationOption {
  @Option(names = "--instance", defaultValue = "", paramLabel = "ID",
      converter = InstallationConverter.class,
      description = "This installation's identity, 1 to 4 lowercase letters or digits: its "
          + "chains are PAL<ID>-..., its sets pal<id>-..., so two installations on one node "
          + "never touch each other's. Default: none (PALISADE-..., pal-...).")
  Installation installation;

  static final class InstallationConverter implements ITypeConverter<Installation> {
    @Override
    public Installation convert(String value) {
      try {
        return new Installation(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
