package org.loomraid.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The binding is a named module that exports its one package and passes on core and Micrometer. */
class ModuleExportsTest {

  @Test
  void exportsOnlyTheBindingAndRequiresCoreAndMicrometerTransitively() throws IOException {
    ModuleDescriptor descriptor;
    String ownPath = MicrometerRaidMetrics.class.getName().replace('.', '/') + ".class";
    String location = MicrometerRaidMetrics.class.getClassLoader().getResource(ownPath).toString();
    String root = location.substring(0, location.length() - ownPath.length());
    try (InputStream in = java.net.URI.create(root + "module-info.class").toURL().openStream()) {
      assertNotNull(in);
      descriptor = ModuleDescriptor.read(in);
    }
    assertEquals("org.loomraid.micrometer", descriptor.name());
    assertEquals(Set.of("org.loomraid.micrometer"), descriptor.exports().stream()
        .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    Set<String> transitive = descriptor.requires().stream()
        .filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
        .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
    assertTrue(transitive.containsAll(Set.of("org.loomraid.core", "micrometer.core")),
        transitive.toString());
  }
}
