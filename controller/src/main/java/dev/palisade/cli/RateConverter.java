package dev.palisade.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A rate as iptables' limit match writes it, per second: {@code 10/second} (or {@code 10}). The
 * log's burst is twice the rate, and the limit match takes bursts of at most 10000 (and rates of
 * at most 10000/second), so the rate is at most 5000/second.
 */
final class RateConverter implements ITypeConverter<Integer> {
  private static final Pattern RATE = Pattern.compile("(\\d+)(/second|/s)?");
  static final int MAX_PER_SECOND = 5000;

  @Override
  public Integer convert(String value) {
    Matcher matcher = RATE.matcher(value.trim());
    if (!matcher.matches() || matcher.group(1).chars().allMatch(digit -> digit == '0')) {
      throw new TypeConversionException("'" + value + "' is not a rate; write e.g. 10/second");
    }
    // Compared as a number only once it surely fits in one.
    String digits = matcher.group(1).replaceFirst("^0+", "");
    if (digits.length() > 4 || Integer.parseInt(digits) > MAX_PER_SECOND) {
      throw new TypeConversionException(value + " is too fast: at most " + MAX_PER_SECOND
          + "/second (bursts are twice the rate, and iptables' limit match takes at most "
          + "10000)");
    }
    return Integer.parseInt(digits);
  }
}
