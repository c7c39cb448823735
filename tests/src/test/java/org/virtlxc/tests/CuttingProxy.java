package org.virtlxc.tests;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP relay that cuts the connection: {@code CuttingProxy LISTEN_PORT HOST PORT BYTES} accepts one connection on
 * 127.0.0.1:LISTEN_PORT, relays it to HOST:PORT both ways, and once BYTES have gone from the client to the server
 * resets both ends. Run inside a simulated host by {@code MigrationIT} to cut a migration in the middle of its image.
 */
public final class CuttingProxy {
  private CuttingProxy() {}

  public static void main(String[] args) throws Exception {
    int listen = Integer.parseInt(args[0]);
    long cutAfter = Long.parseLong(args[3]);
    try (ServerSocket server = new ServerSocket(listen, 1, InetAddress.getLoopbackAddress())) {
      System.out.println("listening");
      System.out.flush();
      try (Socket client = server.accept();
          Socket upstream = new Socket()) {
        upstream.connect(new InetSocketAddress(args[1], Integer.parseInt(args[2])), 10_000);
        Thread back = new Thread(() -> pump(upstream, client, Long.MAX_VALUE));
        back.setDaemon(true);
        back.start();
        long sent = pump(client, upstream, cutAfter);
        System.out.println("cut after " + sent + " bytes");
        client.setSoLinger(true, 0);
        upstream.setSoLinger(true, 0);
      }
    }
  }

  private static long pump(Socket from, Socket to, long limit) {
    long n = 0;
    byte[] b = new byte[8192];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      while (n < limit) {
        int r = in.read(b, 0, (int) Math.min(b.length, limit - n));
        if (r < 0) {
          break;
        }
        out.write(b, 0, r);
        n += r;
      }
    } catch (java.io.IOException e) {
      // one end went away: so does the relay
    }
    return n;
  }
}
