/*
 * LAB-ONLY STAND-IN for memcached-session-manager (MSM). This is NOT MSM and shares no code with it:
 * a small imitation written for ClusterDeck's test lab (e2e/lab) so the console can be tested against
 * MSM's non-sticky key/value layout (docs/reference/session-stores.md §1) without shipping MSM.
 *
 * A minimal memcached text-protocol client: get/set/delete, one short-lived socket per command,
 * short timeouts. Any connection or protocol failure is an IOException; the caller then treats the
 * node as down.
 */
package lab.msm;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

final class MemcachedTextClient {
    /** memcached reads expirations above 30 days as absolute unix times. */
    private static final int MAX_RELATIVE_TTL = 60 * 60 * 24 * 30;

    private final String host;
    private final int port;
    private final int timeoutMs;

    MemcachedTextClient(String host, int port, int timeoutMs) {
        this.host = host;
        this.port = port;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }

    /** The value, or null on a miss. */
    byte[] get(String key) throws IOException {
        checkKey(key);
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(("get " + key + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            String line = readLine(in);
            if (line.equals("END")) return null;
            String[] parts = line.split(" ");
            if (parts.length < 4 || !parts[0].equals("VALUE") || !parts[1].equals(key)) {
                throw new IOException("unexpected reply to get: " + line);
            }
            int size = Integer.parseInt(parts[3]);
            byte[] data = in.readNBytes(size);
            if (data.length != size) throw new IOException("short value: " + data.length + " of " + size + " bytes");
            if (!readLine(in).isEmpty()) throw new IOException("value not followed by CRLF");
            String end = readLine(in);
            if (!end.equals("END")) throw new IOException("unexpected reply after value: " + end);
            return data;
        }
    }

    /** set with flags 0 (what MSM writes). ttlSeconds 0 = never expires. */
    void set(String key, int ttlSeconds, byte[] value) throws IOException {
        checkKey(key);
        int exp = ttlSeconds <= 0 ? 0
                : ttlSeconds > MAX_RELATIVE_TTL ? (int) (System.currentTimeMillis() / 1000L + ttlSeconds) : ttlSeconds;
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(("set " + key + " 0 " + exp + " " + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(value);
            out.write('\r');
            out.write('\n');
            out.flush();
            String reply = readLine(new BufferedInputStream(s.getInputStream()));
            if (!reply.equals("STORED")) throw new IOException("set " + key + ": " + reply);
        }
    }

    /** true if the key existed. */
    boolean delete(String key) throws IOException {
        checkKey(key);
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(("delete " + key + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = readLine(new BufferedInputStream(s.getInputStream()));
            if (reply.equals("DELETED")) return true;
            if (reply.equals("NOT_FOUND")) return false;
            throw new IOException("delete " + key + ": " + reply);
        }
    }

    private Socket open() throws IOException {
        Socket s = new Socket();
        try {
            s.setSoTimeout(timeoutMs);
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), timeoutMs);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private static void checkKey(String key) throws IOException {
        if (key.isEmpty() || key.length() > 250) throw new IOException("bad memcached key length " + key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c <= ' ' || c >= 0x7f) throw new IOException("bad character in memcached key: " + key);
        }
    }

    /** One CRLF-terminated line without the CRLF. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.US_ASCII);
            }
            if (b.size() > 4096) throw new IOException("reply line too long");
            b.write(c);
        }
        throw new IOException("connection closed by memcached");
    }
}
