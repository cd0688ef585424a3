package org.loomraid.backends.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The network package is exported with a small public surface; the command line is not. */
class ExportsTest {

  @Test
  void remotePackageIsExportedAndTheCommandLineIsNot() throws IOException {
    ModuleDescriptor descriptor = descriptorOf(StorageServer.class);
    assertEquals("org.loomraid.backends", descriptor.name());
    Set<String> exported = descriptor.exports().stream()
        .peek(e -> assertEquals(Set.of(), e.targets(), "qualified export of " + e.source()))
        .map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toSet());
    assertTrue(exported.contains("org.loomraid.backends.remote"), exported.toString());
    assertFalse(exported.contains("org.loomraid.backends.cli"), exported.toString());
  }

  @Test
  void onlyTheApiTypesArePublic() {
    for (Class<?> type : new Class<?>[] {
        Protocol.class, FrameEncoder.class, PayloadReader.class, FrameIo.class, ErrorCodec.class,
        ServerConnection.class, RequestHandler.class, ClientConnection.class,
        RemoteTransaction.class, RemoteTransactionIterator.class, SharedSecret.class,
        VirtualThreads.class, TransactionFrames.class}) {
      assertFalse(Modifier.isPublic(type.getModifiers()), type + " is public");
    }
    for (Class<?> type : new Class<?>[] {
        StorageServer.class, RemoteStorage.class, RemoteStorageException.class,
        TlsContexts.class}) {
      assertTrue(Modifier.isPublic(type.getModifiers()), type + " is not public");
    }
  }

  private static ModuleDescriptor descriptorOf(Class<?> member) throws IOException {
    String ownPath = member.getName().replace('.', '/') + ".class";
    String location = member.getClassLoader().getResource(ownPath).toString();
    String root = location.substring(0, location.length() - ownPath.length());
    try (InputStream in = URI.create(root + "module-info.class").toURL().openStream()) {
      return ModuleDescriptor.read(in);
    }
  }
}
