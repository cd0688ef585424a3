package org.loomraid.backends.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed command line: options ({@code --name value}, {@code --name=value} or a bare
 * {@code --flag}) and positional arguments. Every accessor validates and throws
 * {@link UsageException} naming the option.
 */
final class Arguments {

  private final Map<String, String> options = new HashMap<>();
  private final List<String> positional = new ArrayList<>();

  private Arguments() {}

  /**
   * Parses {@code args} for a command that accepts the options {@code valued} (which take a value)
   * and {@code flags} (which do not); {@code --help} is always accepted.
   */
  static Arguments parse(List<String> args, Set<String> valued, Set<String> flags)
      throws UsageException {
    Arguments parsed = new Arguments();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.equals("--")) {
        parsed.positional.add(arg);
        continue;
      }
      String name = arg.substring(2);
      String value = null;
      int equals = name.indexOf('=');
      if (equals >= 0) {
        value = name.substring(equals + 1);
        name = name.substring(0, equals);
      }
      if (name.equals("help") || flags.contains(name)) {
        if (value != null) {
          throw new UsageException("option --" + name + " takes no value");
        }
        value = "true";
      } else if (valued.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.size()) {
            throw new UsageException("option --" + name + " needs a value");
          }
          value = args.get(++i);
        }
      } else {
        throw new UsageException("unknown option --" + name);
      }
      if (parsed.options.put(name, value) != null) {
        throw new UsageException("option --" + name + " given twice");
      }
    }
    return parsed;
  }

  boolean has(String name) {
    return options.containsKey(name);
  }

  boolean wantsHelp() {
    return has("help");
  }

  String string(String name, String fallback) {
    return options.getOrDefault(name, fallback);
  }

  String required(String name) throws UsageException {
    String value = options.get(name);
    if (value == null || value.isBlank()) {
      throw new UsageException("option --" + name + " is required");
    }
    return value;
  }

  int port(String name, int fallback) throws UsageException {
    String value = options.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      int port = Integer.parseInt(value);
      if (port < 0 || port > 65535) {
        throw new UsageException("--" + name + " must be a port in 0..65535, was " + value);
      }
      return port;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a port in 0..65535, was '" + value + "'");
    }
  }

  Duration duration(String name, Duration fallback) throws UsageException {
    String value = options.get(name);
    return value == null ? fallback : parseDuration("--" + name, value);
  }

  /** Returns an existing readable file named by the option, or null if it is absent. */
  Path file(String name) throws UsageException {
    String value = options.get(name);
    if (value == null) {
      return null;
    }
    Path path = Path.of(value);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new UsageException("--" + name + ": " + value + " is not a readable file");
    }
    return path;
  }

  List<String> positional() {
    return List.copyOf(positional);
  }

  /**
   * Parses a duration such as {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h} or an ISO-8601
   * {@code PT5S}; it must be positive.
   */
  static Duration parseDuration(String what, String value) throws UsageException {
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
        throw new UsageException(what + " must be a duration like 500ms, 5s, 2m or 1h, was '"
            + value + "'");
      }
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new UsageException(what + " must be a duration like 500ms, 5s, 2m or 1h, was '"
          + value + "'");
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new UsageException(what + " must be positive, was " + value);
    }
    return duration;
  }
}
