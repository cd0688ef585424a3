package org.loomraid.backends.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.loomraid.backends.file.FileStorage;
import org.loomraid.backends.remote.server.StorageServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code loomraid serve}: a storage server over a file storage directory. */
@Command(name = "serve",
    description = {
        "Serves a file storage directory to clients and RAID front-ends.",
        "%nServes the file storage in directory DIR (created if missing) over the loomraid"
            + " protocol, to RemoteStorage clients and to RAID front-ends (loomraid raid, with"
            + " a backend spec remote:HOST:PORT).",
        "Prints \"serving storage 'NAME' (DIR) on HOST:PORT\" when ready; stops gracefully on"
            + " Ctrl-C or SIGTERM: transactions in flight may finish, the storage is closed, and"
            + " \"loomraid serve: stopped\" is printed."},
    exitCodeList = {
        "1:cannot open the storage or listen",
        "3:bad arguments",
        "130, 143:stopped by SIGINT or SIGTERM (the JVM's usual codes)"})
final class ServeCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--dir", paramLabel = "DIR", required = true,
      description = "the storage directory (required)")
  private Path dir;

  @Option(names = "--name", paramLabel = "NAME",
      description = "the storage's name (default: the directory's name)")
  private String name;

  @Mixin
  private ServerArguments server;

  @Override
  public Integer call() throws UsageException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (dir.toString().isBlank()) {
      throw new ParameterException(spec.commandLine(), "--dir must name a directory");
    }
    String storageName = name != null ? name : defaultName(dir);
    ServerOptions options = server.options();
    Running running = new Running().closeOnExit("serve");
    running.add(() -> {
      out.println("loomraid serve: stopped");
      out.flush();
    });
    try {
      Files.createDirectories(dir);
      FileStorage storage = running.add(FileStorage.builder(dir).name(storageName).open());
      StorageServer started = running.add(options.start(storage));
      out.println(ServerOptions.readyLine("serving storage '" + storageName + "' (" + dir + ")",
          started));
      out.flush();
    } catch (IOException | RuntimeException e) {
      running.close();
      err.println("loomraid serve: " + e.getMessage());
      return ExitCode.WARNING;
    }
    running.awaitClosed();
    return ExitCode.OK;
  }

  private static String defaultName(Path dir) {
    Path fileName = dir.toAbsolutePath().normalize().getFileName();
    return fileName == null ? "storage" : fileName.toString();
  }
}
