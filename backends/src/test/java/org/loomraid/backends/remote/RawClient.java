package org.loomraid.backends.remote;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.loomraid.backends.remote.wire.Frame;
import org.loomraid.backends.remote.wire.FrameEncoder;
import org.loomraid.backends.remote.wire.FrameIo;
import org.loomraid.backends.remote.wire.Hello;
import org.loomraid.backends.remote.wire.Op;
import org.loomraid.backends.remote.wire.OutgoingFrame;
import org.loomraid.backends.remote.wire.PayloadReader;
import org.loomraid.backends.remote.wire.Protocol;
import org.loomraid.backends.remote.wire.SharedSecret;

/** A test client that speaks raw bytes to a server, to send it anything at all. */
public final class RawClient implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RawClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    in = new BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  public void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public void preamble(int version) throws IOException {
    FrameIo.writePreamble(out, version);
  }

  public void frame(long requestId, int code, byte[] payload) throws IOException {
    FrameEncoder frame = new FrameEncoder(requestId, code);
    frame.writeRaw(payload);
    FrameIo.write(out, frame.finish());
    out.flush();
  }

  public void frame(OutgoingFrame frame) throws IOException {
    FrameIo.write(out, frame);
    out.flush();
  }

  /** Stops sending: the server sees the end of the stream. */
  public void endOutput() throws IOException {
    socket.shutdownOutput();
  }

  public Frame read() throws IOException {
    return FrameIo.read(in, Protocol.MAX_FRAME_LENGTH);
  }

  /** Reads the server's hello; returns its payload. */
  public PayloadReader hello() throws IOException {
    preamble(Protocol.VERSION);
    Frame hello = read();
    if (hello == null || hello.code() != Protocol.STATUS_OK) {
      throw new IOException("no hello: " + hello);
    }
    return hello.reader();
  }

  /** Performs the whole handshake, authenticating with {@code secret} (may be null). */
  public void handshake(byte[] secret) throws IOException {
    handshake(secret, true);
  }

  /** Performs the handshake; reads the server's response to the proof only if {@code await}. */
  public void handshake(byte[] secret, boolean await) throws IOException {
    Hello hello = Hello.decode(hello(), "test");
    if (hello.authRequired()) {
      byte[] serverNonce = hello.nonce();
      byte[] clientNonce = SharedSecret.newNonce();
      SharedSecret shared = new SharedSecret(secret, "secret");
      FrameEncoder auth = new FrameEncoder(0, Op.AUTH.code);
      auth.writeRaw(clientNonce).writeRaw(shared.clientProof(serverNonce, clientNonce));
      frame(auth.finish());
      if (!await) {
        return;
      }
      Frame ok = read();
      if (ok == null || ok.code() != Protocol.STATUS_OK) {
        throw new IOException("authentication refused");
      }
    }
  }

  /**
   * Reads until the server closes the connection; returns the frames that came first.
   *
   * @throws SocketTimeoutException if the server keeps the connection open for 10 s
   */
  public List<Frame> framesUntilClosed() throws IOException {
    List<Frame> frames = new ArrayList<>();
    try {
      while (true) {
        Frame frame = read();
        if (frame == null) {
          return frames;
        }
        frames.add(frame);
      }
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (IOException e) {
      return frames; // reset by the server: closed as well
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
