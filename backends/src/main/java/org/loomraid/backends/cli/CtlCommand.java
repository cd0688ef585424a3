package org.loomraid.backends.cli;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.loomraid.backends.remote.client.RemoteRaidAdmin;
import org.loomraid.backends.remote.client.RemoteStorage;
import org.loomraid.backends.remote.RemoteStorageException;
import org.loomraid.backends.remote.TlsContexts;

/**
 * {@code loomraid ctl}: administers a RAID served by {@code loomraid raid} (or any
 * {@code StorageServer} over a {@code RaidStorage}), with monitoring-plugin exit codes.
 */
final class CtlCommand implements Command {

  static final int DEFAULT_PORT = 7070;
  private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

  @Override
  public String name() {
    return "ctl";
  }

  @Override
  public String summary() {
    return "administer a served RAID: status, details, disable, recover, add, remove";
  }

  @Override
  public String usage() {
    return """
        usage: loomraid ctl [--host H] [--port P] [options] COMMAND

        Talks to a RAID front-end (loomraid raid) over the loomraid protocol.

        commands:
          status              print the RAID's status
          details             print the status and every backend's state and details
          disable NAME        take backend NAME out of service
          recover NAME        recover backend NAME and wait until it is OPTIMAL again
          add NAME SPEC       add a backend (SPEC: file:/directory or remote:host:port);
                              it starts DEGRADED, then recover it
          remove NAME         remove backend NAME from the RAID

        options:
          --host H                  server host (default 127.0.0.1)
          --port P                  server port (default 7070)
          --secret-file F           file holding the server's shared secret
          --tls-truststore F        connect with TLS, trusting the certificates in keystore F
          --tls-password-file F     password of the truststore (default: changeit)
          --timeout T               bound on each call, e.g. 5s (default 10s)
          --no-wait                 recover: return once the recovery has started
          --wait T                  recover: give up waiting after T (default 1h)
          --help                    show this help

        exit codes: 0 OK (OPTIMAL; or the command was carried out), 1 WARNING (RECOVERING),
                    2 CRITICAL (DEGRADED, FAILED or CLOSED; or the recovery failed),
                    3 UNKNOWN (cannot connect, refused, or bad arguments)
        """;
  }

  @Override
  public Set<String> valuedOptions() {
    return Set.of("host", "port", "secret-file", "tls-truststore", "tls-password-file",
        "timeout", "wait");
  }

  @Override
  public Set<String> flags() {
    return Set.of("no-wait");
  }

  @Override
  public int run(Arguments arguments, PrintStream out, PrintStream err) throws UsageException {
    List<String> words = arguments.positional();
    if (words.isEmpty()) {
      throw new UsageException("a command is required: status, details, disable, recover, add"
          + " or remove");
    }
    String command = words.get(0);
    int expected = switch (command) {
      case "status", "details" -> 1;
      case "disable", "recover", "remove" -> 2;
      case "add" -> 3;
      default -> throw new UsageException("unknown command '" + command + "'");
    };
    if (words.size() != expected) {
      throw new UsageException("'" + command + "' takes " + (expected - 1) + " argument"
          + (expected == 2 ? "" : "s") + ", got " + (words.size() - 1));
    }
    RemoteStorage.Builder builder = client(arguments);
    Duration wait = arguments.duration("wait", Duration.ofHours(1));
    String address = arguments.string("host", "127.0.0.1") + ":"
        + arguments.port("port", DEFAULT_PORT);
    try (RemoteStorage storage = builder.connect()) {
      RemoteRaidAdmin admin = storage.admin();
      if (!storage.servesRaid() && (command.equals("status") || command.equals("details"))) {
        out.println("OK: " + address + " serves storage '" + storage.serverStorageName()
            + "', which is not a RAID; last transaction " + storage.lastTransaction());
        return ExitCode.OK;
      }
      return switch (command) {
        case "status" -> status(admin, out);
        case "details" -> details(admin, out);
        case "disable" -> {
          admin.disable(words.get(1));
          out.println("disabled backend '" + words.get(1) + "'");
          yield ExitCode.OK;
        }
        case "recover" -> recover(admin, words.get(1), !arguments.has("no-wait"), wait, out);
        case "add" -> {
          admin.add(words.get(1), words.get(2));
          out.println("added backend '" + words.get(1) + "' (" + words.get(2)
              + "); it is DEGRADED until recovered");
          yield ExitCode.OK;
        }
        default -> {
          admin.remove(words.get(1));
          out.println("removed backend '" + words.get(1) + "'");
          yield ExitCode.OK;
        }
      };
    } catch (UncheckedIOException e) {
      err.println("UNKNOWN: cannot reach " + address + ": " + e.getMessage());
      return ExitCode.UNKNOWN;
    } catch (RemoteStorageException | IllegalArgumentException | IllegalStateException e) {
      err.println("UNKNOWN: " + address + " refused: " + e.getMessage());
      return ExitCode.UNKNOWN;
    }
  }

  private static RemoteStorage.Builder client(Arguments arguments) throws UsageException {
    String host = arguments.string("host", "127.0.0.1");
    int port = arguments.port("port", DEFAULT_PORT);
    if (port == 0) {
      throw new UsageException("--port must be in 1..65535, was 0");
    }
    Duration timeout = arguments.duration("timeout", Duration.ofSeconds(10));
    RemoteStorage.Builder builder = RemoteStorage.builder(host, port)
        .name("ctl")
        .connectTimeout(timeout)
        .callTimeout(timeout);
    byte[] secret = Secrets.read(arguments.file("secret-file"), "secret-file");
    if (secret != null) {
      builder.secret(secret);
    }
    if (arguments.has("tls-truststore")) {
      builder.tls(TlsContexts.trusting(arguments.file("tls-truststore"),
          Passwords.read(arguments.file("tls-password-file"))));
    }
    return builder;
  }

  private static int status(RemoteRaidAdmin admin, PrintStream out) {
    String status = admin.status();
    out.println(status);
    return ExitCode.forStatus(status);
  }

  private static int details(RemoteRaidAdmin admin, PrintStream out) {
    String status = admin.status();
    List<RemoteRaidAdmin.Backend> backends = admin.backends();
    out.println("RAID " + status);
    print(backends, out);
    return ExitCode.forStatus(status);
  }

  /** Prints one line per backend: name, state, reason, then its details. */
  static void print(List<RemoteRaidAdmin.Backend> backends, PrintStream out) {
    int nameWidth = Math.max(7, backends.stream().mapToInt(b -> b.name().length()).max().orElse(0));
    out.printf("  %-" + nameWidth + "s  %-10s  %s%n", "BACKEND", "STATE", "REASON / DETAILS");
    for (RemoteRaidAdmin.Backend backend : backends) {
      StringBuilder line = new StringBuilder(backend.reason());
      for (Map.Entry<String, String> detail : backend.details().entrySet()) {
        if (!line.isEmpty()) {
          line.append(", ");
        }
        line.append(detail.getKey()).append('=').append(detail.getValue());
      }
      out.printf("  %-" + nameWidth + "s  %-10s  %s%n", backend.name(), backend.state(), line);
    }
  }

  private static int recover(RemoteRaidAdmin admin, String name, boolean await, Duration wait,
      PrintStream out) {
    RemoteRaidAdmin.Backend backend = admin.recover(name);
    out.println("recovering backend '" + name + "': " + backend.state());
    if (!await) {
      return ExitCode.OK;
    }
    long deadline = System.nanoTime() + wait.toNanos();
    String lastProgress = "";
    while (backend.state().equals("RECOVERING")) {
      if (System.nanoTime() - deadline > 0) {
        out.println("still RECOVERING after " + wait + "; the recovery goes on at the server");
        return ExitCode.WARNING;
      }
      LockSupport.parkNanos(POLL_INTERVAL.toNanos());
      if (Thread.currentThread().isInterrupted()) {
        return ExitCode.WARNING;
      }
      backend = find(admin.backends(), name);
      String progress = backend.details().toString();
      if (!progress.equals(lastProgress) && backend.state().equals("RECOVERING")) {
        out.println("  " + progress);
        lastProgress = progress;
      }
    }
    out.println("backend '" + name + "' is " + backend.state()
        + (backend.reason().isEmpty() ? "" : ": " + backend.reason()));
    return backend.state().equals("OPTIMAL") ? ExitCode.OK : ExitCode.CRITICAL;
  }

  private static RemoteRaidAdmin.Backend find(List<RemoteRaidAdmin.Backend> backends,
      String name) {
    return backends.stream().filter(b -> b.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException("backend '" + name + "' disappeared"));
  }
}
