package org.loomraid.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.loomraid.storage.Storage;

class ModuleExportsTest {

  @Test
  void coreExportsOnlyItsApiPackages() throws IOException {
    ModuleDescriptor descriptor = descriptorOf(Storage.class);
    assertEquals("org.loomraid.core", descriptor.name());
    Set<String> exported = new TreeSet<>();
    for (ModuleDescriptor.Exports export : descriptor.exports()) {
      assertEquals(Set.of(), export.targets(), "qualified export of " + export.source());
      exported.add(export.source());
    }
    assertEquals(
        new TreeSet<>(Set.of("org.loomraid.storage", "org.loomraid.raid", "org.loomraid.testing")),
        exported);
  }

  /** Reads module-info.class from the output folder or jar that holds {@code member}. */
  static ModuleDescriptor descriptorOf(Class<?> member) throws IOException {
    ClassLoader loader = member.getClassLoader();
    String ownPath = member.getName().replace('.', '/') + ".class";
    String location = loader.getResource(ownPath).toString();
    String root = location.substring(0, location.length() - ownPath.length());
    try (InputStream in = java.net.URI.create(root + "module-info.class").toURL().openStream()) {
      assertNotNull(in);
      return ModuleDescriptor.read(in);
    }
  }
}
