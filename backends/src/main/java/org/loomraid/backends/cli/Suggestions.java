package org.loomraid.backends.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The names a mistyped option or command was probably meant to be: the nearest within a small
 * edit distance (a transposition counts as one edit, so {@code stauts} finds {@code status}), or
 * else those the typed word begins ({@code --secret} finds {@code --secret-file}). Nothing is
 * suggested for a word like none of the names.
 */
final class Suggestions {

  private static final int MAX_SUGGESTIONS = 3;
  private static final int MIN_PREFIX = 3;

  private Suggestions() {}

  /**
   * Returns the names closest to {@code typed}: those at the smallest edit distance if it is
   * small, else those that begin with it; at most three, empty if none is close.
   */
  static List<String> closest(String typed, List<String> names) {
    String word = strip(typed);
    int best = Integer.MAX_VALUE;
    List<String> nearest = new ArrayList<>();
    for (String name : names) {
      int distance = distance(word, strip(name));
      if (distance > allowedEdits(word) || distance > best) {
        continue;
      }
      if (distance < best) {
        best = distance;
        nearest.clear();
      }
      nearest.add(name);
    }
    if (!nearest.isEmpty()) {
      return nearest.stream().distinct().sorted().limit(MAX_SUGGESTIONS).toList();
    }
    if (word.length() < MIN_PREFIX) {
      return List.of();
    }
    return names.stream().filter(name -> strip(name).startsWith(word)).distinct()
        .sorted(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()))
        .limit(MAX_SUGGESTIONS).toList();
  }

  private static String strip(String name) {
    int start = 0;
    while (start < name.length() && name.charAt(start) == '-') {
      start++;
    }
    return name.substring(start);
  }

  /** One edit for short words, up to three for long ones. */
  private static int allowedEdits(String word) {
    return Math.max(1, Math.min(3, word.length() / 3));
  }

  /** The optimal-string-alignment distance: insertions, deletions, substitutions, swaps. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
