package org.loomraid.backends.postgres;

import java.util.regex.Pattern;

/** Keeps secrets out of messages: a JDBC URL with any password in it masked. */
final class JdbcUrls {

  private static final Pattern PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");

  private JdbcUrls() {}

  /** Returns {@code url} with the value of every {@code password=} parameter replaced by stars. */
  static String redact(String url) {
    return PASSWORD.matcher(url).replaceAll("$1***");
  }
}
