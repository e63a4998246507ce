package dev.palisade.cli;

import dev.palisade.dataplane.kernel.WriteStrategy;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --write-strategy incremental} or {@code --write-strategy full-resync}. */
final class WriteStrategyConverter implements ITypeConverter<WriteStrategy> {
  @Override
  public WriteStrategy convert(String value) {
    try {
      return WriteStrategy.valueOf(value.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("write strategy must be incremental or full-resync, "
          + "got '" + value + "'");
    }
  }
}
