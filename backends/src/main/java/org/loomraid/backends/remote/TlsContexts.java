package org.loomraid.backends.remote;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the {@link SSLContext}s that {@code StorageServer.Builder.tls} and
 * {@code RemoteStorage.Builder.tls} take, from JDK keystores (PKCS#12 or JKS, as
 * {@code keytool} writes them).
 */
public final class TlsContexts {

  private TlsContexts() {}

  /**
   * A context for a server: presents the key and certificate in {@code keyStore} (and trusts the
   * certificates in it).
   *
   * @throws UncheckedIOException if the keystore cannot be read, or its password is wrong
   * @throws IllegalArgumentException if the keystore holds no usable key
   */
  public static SSLContext fromKeyStore(Path keyStore, char[] password) {
    KeyStore store = load(keyStore, password);
    try {
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "keystore " + keyStore + " holds no usable key: " + e.getMessage(), e);
    }
  }

  /**
   * A context for a client: trusts exactly the certificates in {@code trustStore}.
   *
   * @throws UncheckedIOException if the truststore cannot be read, or its password is wrong
   */
  public static SSLContext trusting(Path trustStore, char[] password) {
    KeyStore store = load(trustStore, password);
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "truststore " + trustStore + " cannot be used: " + e.getMessage(), e);
    }
  }

  private static KeyStore load(Path path, char[] password) {
    Objects.requireNonNull(path, "keyStore");
    Objects.requireNonNull(password, "password");
    if (!Files.isRegularFile(path)) {
      throw new UncheckedIOException(new NoSuchFileException(path.toString(), null,
          "keystore does not exist or is not a file"));
    }
    try {
      return KeyStore.getInstance(path.toFile(), password);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read keystore " + path + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new UncheckedIOException("cannot read keystore " + path + ": " + e.getMessage(),
          new IOException(e));
    }
  }
}
