package org.loomraid.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URI;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.loomraid.backends.file.FileStorage;

class ModuleExportsTest {

  /** The API packages of the backends module; nothing else may be exported. */
  private static final Set<String> API_PACKAGES = Set.of(
      "org.loomraid.backends.file",
      "org.loomraid.backends.postgres",
      "org.loomraid.backends.remote",
      "org.loomraid.backends.remote.client",
      "org.loomraid.backends.remote.server");

  @Test
  void backendsExportsOnlyItsApiPackages() throws IOException {
    ModuleDescriptor descriptor = descriptorOf(FileStorage.class);
    assertEquals("org.loomraid.backends", descriptor.name());
    Set<String> exported = new TreeSet<>();
    for (ModuleDescriptor.Exports export : descriptor.exports()) {
      assertEquals(Set.of(), export.targets(), "qualified export of " + export.source());
      exported.add(export.source());
    }
    assertEquals(new TreeSet<>(API_PACKAGES), exported);
  }

  /** Reads module-info.class from the output folder or jar that holds {@code member}. */
  private static ModuleDescriptor descriptorOf(Class<?> member) throws IOException {
    String ownPath = member.getName().replace('.', '/') + ".class";
    String location = member.getClassLoader().getResource(ownPath).toString();
    String root = location.substring(0, location.length() - ownPath.length());
    try (InputStream in = URI.create(root + "module-info.class").toURL().openStream()) {
      assertNotNull(in);
      return ModuleDescriptor.read(in);
    }
  }
}
