package dev.palisade.cli;

import dev.palisade.scenario.ProbePort;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --port 80/TCP}, {@code --port serve-80-tcp}, {@code --port ICMP}. */
final class PortConverter implements ITypeConverter<ProbePort> {
  @Override
  public ProbePort convert(String value) {
    try {
      return ProbePort.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
