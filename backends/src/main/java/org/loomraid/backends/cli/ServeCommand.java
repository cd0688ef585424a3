package org.loomraid.backends.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.loomraid.backends.file.FileStorage;
import org.loomraid.backends.remote.server.StorageServer;

/** {@code loomraid serve}: a storage server over a file storage directory. */
final class ServeCommand implements Command {

  @Override
  public String name() {
    return "serve";
  }

  @Override
  public String summary() {
    return "serve a file storage directory to clients and RAID front-ends";
  }

  @Override
  public String usage() {
    return """
        usage: loomraid serve --dir D [--port P] [--bind A] [options]

        Serves the file storage in directory D (created if missing) over the loomraid protocol,
        for RemoteStorage clients and RAID front-ends (loomraid raid, backend.X=remote:HOST:PORT).
        Prints "serving storage 'NAME' (D) on HOST:PORT" when ready; stops gracefully on
        Ctrl-C or SIGTERM: transactions in flight may finish, the storage is closed, and
        "loomraid serve: stopped" is printed.

        options:
          --dir D                   the storage directory (required)
          --port P                  TCP port (default 7070; 0 picks a free one)
          --bind A                  address to listen on (default 127.0.0.1; 0.0.0.0 for all)
          --name N                  the storage's name (default: the directory's name)
          --secret-file F           require clients to prove the shared secret in file F
          --tls-keystore F          serve TLS with the key and certificate in keystore F
          --tls-password-file F     password of the keystore (default: changeit)
          --help                    show this help

        exit codes: 1 cannot open the storage or listen, 3 bad arguments; stopped by a signal,
                    the JVM's usual 130 (SIGINT) or 143 (SIGTERM)
        """;
  }

  @Override
  public Set<String> valuedOptions() {
    Set<String> names = new HashSet<>(ServerOptions.NAMES);
    names.addAll(Set.of("dir", "name"));
    return names;
  }

  @Override
  public Set<String> flags() {
    return Set.of();
  }

  @Override
  public int run(Arguments arguments, PrintStream out, PrintStream err) throws UsageException {
    if (!arguments.positional().isEmpty()) {
      throw new UsageException("unexpected argument '" + arguments.positional().get(0) + "'");
    }
    Path dir = Path.of(arguments.required("dir"));
    String name = arguments.string("name", dir.toAbsolutePath().normalize().getFileName() == null
        ? "storage" : dir.toAbsolutePath().normalize().getFileName().toString());
    ServerOptions options = ServerOptions.from(arguments);
    Running running = new Running().closeOnExit("serve");
    running.add(() -> {
      out.println("loomraid serve: stopped");
      out.flush();
    });
    try {
      Files.createDirectories(dir);
      FileStorage storage = running.add(FileStorage.builder(dir).name(name).open());
      StorageServer server = running.add(options.start(storage));
      out.println(ServerOptions.readyLine("serving storage '" + name + "' (" + dir + ")", server));
      out.flush();
    } catch (IOException | RuntimeException e) {
      running.close();
      err.println("loomraid serve: " + e.getMessage());
      return ExitCode.WARNING;
    }
    running.awaitClosed();
    return ExitCode.OK;
  }
}
