package dev.palisade.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A whole number within the range the kernel takes, so that a value out of range is a usage
 * error naming the option (picocli adds it) rather than a failure once the agent runs. One
 * subclass per range: picocli builds converters by their no-argument constructor.
 */
abstract class IntRangeConverter implements ITypeConverter<Integer> {
  private final int min;
  private final int max;
  private final String what;

  IntRangeConverter(int min, int max, String what) {
    this.min = min;
    this.max = max;
    this.what = what;
  }

  @Override
  public Integer convert(String value) {
    int number;
    try {
      number = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is not a whole number");
    }
    if (number < min || number > max) {
      throw new TypeConversionException(number + " is out of range " + min + "-" + max + " ("
          + what + ")");
    }
    return number;
  }

  /** NFLOG groups are 16 bits. */
  static final class NflogGroup extends IntRangeConverter {
    NflogGroup() {
      super(0, 65535, "NFLOG groups");
    }
  }

  /** A TCP port to connect to. */
  static final class Port extends IntRangeConverter {
    Port() {
      super(1, 65535, "TCP ports");
    }
  }
}
