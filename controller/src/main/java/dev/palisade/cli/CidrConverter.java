package dev.palisade.cli;

import dev.palisade.model.Cidr;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A CIDR option value, e.g. {@code 10.244.1.0/24}. */
final class CidrConverter implements ITypeConverter<Cidr> {
  @Override
  public Cidr convert(String value) {
    try {
      return Cidr.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
