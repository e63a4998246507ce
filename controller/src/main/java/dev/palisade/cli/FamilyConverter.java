package dev.palisade.cli;

import dev.palisade.model.IpFamily;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --family 4} or {@code --family 6}. */
final class FamilyConverter implements ITypeConverter<IpFamily> {
  @Override
  public IpFamily convert(String value) {
    try {
      return IpFamily.ofNumber(Integer.parseInt(value.strip()));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("IP family must be 4 or 6, got '" + value + "'");
    }
  }
}
