package dev.palisade.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A rate as iptables' limit match writes it, per second: {@code 10/second} (or {@code 10}). */
final class RateConverter implements ITypeConverter<Integer> {
  private static final Pattern RATE = Pattern.compile("(\\d+)(/second|/s)?");

  @Override
  public Integer convert(String value) {
    Matcher matcher = RATE.matcher(value.trim());
    if (!matcher.matches() || Integer.parseInt(matcher.group(1)) < 1) {
      throw new TypeConversionException("'" + value + "' is not a rate; write e.g. 10/second");
    }
    return Integer.parseInt(matcher.group(1));
  }
}
