package org.loomraid.backends.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.TransactionMeta;

/** Metadata survives the round trip through its bytes exactly, whatever chars its strings hold. */
class MetaCodecTest {

  @Test
  void randomMetadataRoundTripsExactly() {
    long seed = System.nanoTime();
    System.out.println("MetaCodecTest seed " + seed);
    Random random = new Random(seed);
    for (int i = 0; i < 500; i++) {
      Map<String, String> extension = new HashMap<>();
      for (int e = random.nextInt(4); e > 0; e--) {
        extension.put(text(random), text(random));
      }
      TransactionMeta meta = new TransactionMeta(text(random), text(random), extension);
      byte[] encoded = MetaCodec.encode(meta);
      assertEquals(meta, MetaCodec.decode(encoded), "seed " + seed);
      assertArrayEquals(encoded, MetaCodec.encode(MetaCodec.decode(encoded)), "seed " + seed);
    }
  }

  /** Any UTF-16 units: NUL, lone surrogates, pairs, ASCII. */
  private static String text(Random random) {
    char[] chars = new char[random.nextInt(12)];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = switch (random.nextInt(4)) {
        case 0 -> (char) random.nextInt(0x80);
        case 1 -> (char) (0xD800 + random.nextInt(0x800));
        case 2 -> 0;
        default -> (char) random.nextInt(0x10000);
      };
    }
    return new String(chars);
  }

  @Test
  void truncatedOrForeignBytesAreRefused() {
    byte[] encoded = MetaCodec.encode(new TransactionMeta("user", "description", Map.of("k", "v")));
    assertThrows(IllegalStateException.class,
        () -> MetaCodec.decode(Arrays.copyOf(encoded, encoded.length - 1)));
    byte[] foreign = encoded.clone();
    foreign[0] = 9;
    assertThrows(IllegalStateException.class, () -> MetaCodec.decode(foreign));
    assertThrows(IllegalStateException.class, () -> MetaCodec.decode(new byte[0]));
  }
}
