package org.loomraid.backends.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The typed values of the command line's options and of the {@code raid} configuration: ports,
 * durations and readable files. Each converter's message says what the value must be and what it
 * was; picocli puts the option's name in front ({@code Invalid value for option '--port' (PORT):
 * ...}), the configuration puts the key's.
 */
final class OptionTypes {

  private OptionTypes() {}

  /** A TCP port, 0..65535 (0: the server picks a free one). */
  static final class Port implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      try {
        int port = Integer.parseInt(value.strip());
        if (port >= 0 && port <= 65535) {
          return port;
        }
      } catch (NumberFormatException e) {
        // reported below, with the value as given
      }
      throw new TypeConversionException("must be a port in 0..65535, was '" + value + "'");
    }
  }

  /** A positive duration: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h} or ISO {@code PT5S}. */
  static final class PositiveDuration implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return parseDuration(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** An existing, readable regular file. */
  static final class ReadableFile implements ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
      try {
        return readableFile(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /**
   * Parses a duration such as {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h} or an ISO-8601
   * {@code PT5S}; it must be positive.
   *
   * @throws IllegalArgumentException saying what the value must be and what it was
   */
  static Duration parseDuration(String value) {
    Duration duration;
    try {
      if (value.startsWith("P") || value.startsWith("p")) {
        duration = Duration.parse(value);
      } else if (value.endsWith("ms")) {
        duration = Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
      } else if (value.endsWith("s")) {
        duration = Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
      } else if (value.endsWith("m")) {
        duration = Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
      } else if (value.endsWith("h")) {
        duration = Duration.ofHours(Long.parseLong(value.substring(0, value.length() - 1)));
      } else {
        throw notADuration(value);
      }
    } catch (NumberFormatException | DateTimeParseException e) {
      throw notADuration(value);
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("must be positive, was " + value);
    }
    return duration;
  }

  /** Formats a duration the way {@link #parseDuration} reads it back: {@code 30s}, {@code 1h}. */
  static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  private static IllegalArgumentException notADuration(String value) {
    return new IllegalArgumentException("must be a duration like 500ms, 5s, 2m or 1h, was '"
        + value + "'");
  }

  /**
   * Returns the path if it names an existing, readable regular file.
   *
   * @throws IllegalArgumentException saying that it does not
   */
  static Path readableFile(String value) {
    Path path = Path.of(value);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new IllegalArgumentException(value + " is not a readable file");
    }
    return path;
  }
}
