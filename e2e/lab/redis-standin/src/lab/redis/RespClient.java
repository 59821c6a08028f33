/*
 * LAB-ONLY STAND-IN for jcoleman tomcat-redis-session-manager. NOT that project: see
 * StandinJcolemanStore.java.
 *
 * A minimal Redis client (RESP2): one short-lived socket per call, the call's commands pipelined on it,
 * every reply read back. Replies are byte[] (bulk), String (simple), Long (integer), List (array) or
 * null; an error reply or any I/O failure is an IOException.
 */
package lab.redis;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

final class RespClient {
    private final String host;
    private final int port;
    private final int database;
    private final int timeoutMs;

    RespClient(String host, int port, int database, int timeoutMs) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public String toString() {
        return host + ":" + port + "/" + database;
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs the commands in order on one connection (after SELECT when database != 0); one reply each. */
    List<Object> call(List<byte[][]> commands) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            s.setTcpNoDelay(true);
            OutputStream out = new BufferedOutputStream(s.getOutputStream());
            if (database != 0) write(out, new byte[][] { b("SELECT"), b(Integer.toString(database)) });
            for (byte[][] c : commands) write(out, c);
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            if (database != 0) read(in);
            List<Object> replies = new ArrayList<>(commands.size());
            for (int i = 0; i < commands.size(); i++) replies.add(read(in));
            return replies;
        }
    }

    Object call(byte[]... command) throws IOException {
        return call(List.<byte[][]>of(command)).get(0);
    }

    private static void write(OutputStream out, byte[][] args) throws IOException {
        out.write(b("*" + args.length + "\r\n"));
        for (byte[] a : args) {
            out.write(b("$" + a.length + "\r\n"));
            out.write(a);
            out.write('\r');
            out.write('\n');
        }
    }

    private static Object read(InputStream in) throws IOException {
        int type = in.read();
        String line = readLine(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IOException("Redis error: " + line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) return null;
                byte[] data = in.readNBytes(n);
                if (data.length != n || in.read() != '\r' || in.read() != '\n') throw new IOException("short bulk reply");
                return data;
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) return null;
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) items.add(read(in));
                return items;
            }
            case -1:
                throw new IOException("connection closed by Redis");
            default:
                throw new IOException("unexpected RESP type byte " + type);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(32);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\r') {
                if (in.read() != '\n') throw new IOException("CR not followed by LF");
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(c);
        }
        throw new IOException("connection closed by Redis");
    }
}
