package org.loomraid.backends.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The network layer exports the client, the server and what they share, with a small public
 * surface each; the wire protocol and the command line stay inside the module.
 */
class ExportsTest {

  private static final String ROOT = "org.loomraid.backends.remote";

  @Test
  void clientServerAndSharedPackagesAreExportedTheWireIsNot() throws IOException {
    ModuleDescriptor descriptor = descriptorOf(RemoteStorageException.class);
    Set<String> exported = descriptor.exports().stream()
        .peek(e -> assertEquals(Set.of(), e.targets(), "qualified export of " + e.source()))
        .map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toSet());
    assertTrue(exported.containsAll(Set.of(ROOT, ROOT + ".client", ROOT + ".server")),
        exported.toString());
    assertFalse(exported.contains(ROOT + ".wire"), exported.toString());
    assertFalse(exported.contains("org.loomraid.backends.cli"), exported.toString());
  }

  @Test
  void onlyTheApiTypesOfTheExportedPackagesArePublic() throws ClassNotFoundException {
    for (String internal : List.of(
        "client.ClientConnection", "client.RemoteTransaction", "client.RemoteTransactionIterator",
        "client.TransactionFrames", "client.ConnectionSettings", "client.ClientThreads",
        "server.ServerConnection", "server.RequestHandler", "server.RequestDecoder",
        "server.ServerTransaction", "server.ServerCursor", "server.OpenTransactions",
        "server.ActivityCounter", "server.RaidAdministration", "server.RaidAdminAdministration",
        "server.ServerThreads", "server.Refusal")) {
      Class<?> type = Class.forName(ROOT + "." + internal);
      assertFalse(Modifier.isPublic(type.getModifiers()), type + " is public");
    }
    for (String api : List.of("RemoteStorageException", "TlsContexts", "client.RemoteStorage",
        "client.RemoteRaidAdmin", "server.StorageServer", "server.BackendOpeners")) {
      Class<?> type = Class.forName(ROOT + "." + api);
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
