package org.loomraid.backends.remote.wire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mutual challenge-response authentication with a shared secret: each side proves it knows the
 * secret by an HMAC-SHA256 over both sides' random nonces, so the secret itself never crosses the
 * wire and a recorded exchange cannot be replayed. Proofs are compared in constant time.
 */
public final class SharedSecret {

  /** The shortest secret accepted. */
  public static final int MIN_LENGTH = 16;

  private static final byte[] CLIENT_LABEL =
      "loomraid/1 client proof".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SERVER_LABEL =
      "loomraid/1 server proof".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] secret;

  /**
   * Creates the secret (copied).
   *
   * @throws IllegalArgumentException naming {@code what} if it is shorter than {@link #MIN_LENGTH}
   */
  public SharedSecret(byte[] secret, String what) {
    if (secret.length < MIN_LENGTH) {
      throw new IllegalArgumentException(
          what + " must be at least " + MIN_LENGTH + " bytes, was " + secret.length);
    }
    this.secret = secret.clone();
  }

  /** Returns a fresh random nonce of {@link Protocol#NONCE_LENGTH} bytes. */
  public static byte[] newNonce() {
    byte[] nonce = new byte[Protocol.NONCE_LENGTH];
    RANDOM.nextBytes(nonce);
    return nonce;
  }

  /** Returns the client's proof over both nonces. */
  public byte[] clientProof(byte[] serverNonce, byte[] clientNonce) {
    return mac(CLIENT_LABEL, serverNonce, clientNonce);
  }

  /** Returns the server's proof over both nonces. */
  public byte[] serverProof(byte[] serverNonce, byte[] clientNonce) {
    return mac(SERVER_LABEL, serverNonce, clientNonce);
  }

  /** Compares two proofs in time independent of where they differ. */
  public static boolean same(byte[] expected, byte[] actual) {
    return MessageDigest.isEqual(expected, actual);
  }

  private byte[] mac(byte[] label, byte[] serverNonce, byte[] clientNonce) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update(label);
      mac.update(serverNonce);
      mac.update(clientNonce);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
    }
  }
}
