package dev.palisade.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations as operators write them: {@code 500ms}, {@code 1s}, {@code 5m}, {@code 1h}. */
public class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    Matcher matcher = SIMPLE.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!matcher.matches()) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration; write e.g. 500ms, 1s, 5m or 1h");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    };
  }

  /** As an operator writes it: {@code 10m}, {@code 1m30s}, {@code 0.5s}. */
  static String format(Duration duration) {
    return duration.toString().substring("PT".length()).toLowerCase(Locale.ROOT);
  }

  /** For a timeout or an interval that something waits for: zero would never wait at all. */
  public static final class Positive extends DurationConverter {
    @Override
    public Duration convert(String value) {
      Duration duration = super.convert(value);
      if (duration.isZero()) {
        throw new TypeConversionException("'" + value + "' must be longer than zero");
      }
      return duration;
    }
  }
}
