/*
 * LAB-ONLY STAND-IN for jcoleman tomcat-redis-session-manager (master bb72ab2). This is NOT that
 * project and contains none of its code: a Tomcat Store written for ClusterDeck's test lab only, so the
 * console's `redis` store kind (layout tomcat-redis-session-manager) is tested against sessions made
 * by real requests. It writes the manager's Redis layout as docs/reference/session-stores.md §2 describes:
 *
 *   - key  = the bare session id (Tomcat's <32 HEX>.<jvmRoute>), no prefix, in one Redis database;
 *   - value = one ObjectOutputStream: SessionSerializationMetadata (MD5 of the serialized attribute
 *            HashMap), then StandardSession.writeObjectData of the Tomcat it runs on (10.1 here);
 *   - after every request: SET id value, then EXPIRE id maxInactiveInterval (no EXPIRE when <= 0);
 *   - removal: DEL id; expiry is left to Redis (processExpires does nothing).
 *
 * It is used as the Store of Tomcat's own PersistentManager with PersistentValve, which loads the
 * session from the Store at the start of every request and saves it (then drops it from memory) at the
 * end, so any Tomcat can serve any session:
 *
 *   <Manager className="org.apache.catalina.session.PersistentManager">
 *     <Store className="lab.redis.StandinJcolemanStore" host="127.0.0.1" port="16380" database="0"/>
 *   </Manager>
 *   <Valve className="org.apache.catalina.valves.PersistentValve"/>
 *
 * Not imitated: the SETNX "null" placeholder that claims a new id, the manager-wide (not per-session)
 * maxInactiveInterval, save-only-when-dirty, sentinel, connection pooling.
 */
package lab.redis;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;

import org.apache.catalina.Session;
import org.apache.catalina.session.StandardSession;
import org.apache.catalina.session.StoreBase;

import com.orangefunction.tomcat.redissessions.SessionSerializationMetadata;

public class StandinJcolemanStore extends StoreBase {
    private String host = "127.0.0.1";
    private int port = 6379;
    private int database = 0;
    private int timeout = 2000;
    private volatile RespClient client;

    public String getHost() { return host; }
    public void setHost(String host) { this.host = host; client = null; }
    public int getPort() { return port; }
    public void setPort(int port) { this.port = port; client = null; }
    public int getDatabase() { return database; }
    public void setDatabase(int database) { this.database = database; client = null; }
    public int getTimeout() { return timeout; }
    public void setTimeout(int timeout) { this.timeout = timeout; client = null; }

    @Override
    public String getStoreName() {
        return "standinJcolemanStore";
    }

    private RespClient redis() {
        RespClient c = client;
        if (c == null) client = c = new RespClient(host, port, database, timeout);
        return c;
    }

    @Override
    public int getSize() throws IOException {
        return ((Long) redis().call(RespClient.b("DBSIZE"))).intValue();
    }

    /** Every key of the database (the manager assumes a database of its own: KEYS *), by SCAN. */
    @Override
    public String[] keys() throws IOException {
        List<String> keys = new ArrayList<>();
        String cursor = "0";
        do {
            List<?> reply = (List<?>) redis().call(RespClient.b("SCAN"), RespClient.b(cursor), RespClient.b("COUNT"), RespClient.b("1000"));
            cursor = new String((byte[]) reply.get(0), StandardCharsets.UTF_8);
            for (Object k : (List<?>) reply.get(1)) keys.add(new String((byte[]) k, StandardCharsets.UTF_8));
        } while (!cursor.equals("0"));
        return keys.toArray(new String[0]);
    }

    @Override
    public Session load(String id) throws ClassNotFoundException, IOException {
        byte[] value = (byte[]) redis().call(RespClient.b("GET"), RespClient.b(id));
        if (value == null || new String(value, StandardCharsets.ISO_8859_1).equals("null")) return null;
        try (ObjectInputStream ois = getObjectInputStream(new ByteArrayInputStream(value))) {
            if (!(ois.readObject() instanceof SessionSerializationMetadata)) {
                throw new IOException("value of " + id + " does not start with SessionSerializationMetadata");
            }
            StandardSession session = (StandardSession) getManager().createEmptySession();
            session.readObjectData(ois);
            session.setManager(getManager());
            return session;
        }
    }

    @Override
    public void save(Session session) throws IOException {
        StandardSession s = (StandardSession) session;
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ObjectOutputStream oos = new ObjectOutputStream(new BufferedOutputStream(bos))) {
            oos.writeObject(new SessionSerializationMetadata(attributesHash(s)));
            s.writeObjectData(oos);
        }
        byte[] id = RespClient.b(s.getIdInternal());
        int ttl = s.getMaxInactiveInterval();
        List<byte[][]> commands = new ArrayList<>(2);
        commands.add(new byte[][] { RespClient.b("SET"), id, bos.toByteArray() });
        if (ttl > 0) commands.add(new byte[][] { RespClient.b("EXPIRE"), id, RespClient.b(Integer.toString(ttl)) });
        redis().call(commands);
    }

    /** MD5 of the attributes as one serialized HashMap (what the manager compares to skip unchanged saves). */
    private static byte[] attributesHash(StandardSession s) throws IOException {
        HashMap<String, Object> attributes = new HashMap<>();
        for (String name : Collections.list(s.getAttributeNames())) attributes.put(name, s.getAttribute(name));
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ObjectOutputStream oos = new ObjectOutputStream(new BufferedOutputStream(bos))) {
            oos.writeUnshared(attributes);
        }
        try {
            return MessageDigest.getInstance("MD5").digest(bos.toByteArray());
        } catch (NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void remove(String id) throws IOException {
        redis().call(RespClient.b("DEL"), RespClient.b(id));
    }

    @Override
    public void clear() throws IOException {
        for (String key : keys()) remove(key);
    }

    /** Redis expires the keys (EXPIRE after each request); nothing to sweep. */
    @Override
    public void processExpires() {
    }
}
