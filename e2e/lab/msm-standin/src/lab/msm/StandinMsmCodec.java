/*
 * LAB-ONLY STAND-IN for memcached-session-manager (MSM). NOT MSM: see MemcachedTextClient.java.
 *
 * The byte layouts of docs/reference/session-stores.md §1.5, written from that description:
 * session value = version-2 header (big-endian, ASCII '0'/'1' booleans, embedded id, authType 0,
 * zero-length principal / saved request / saved principal) followed by one ObjectOutputStream holding
 * an Integer count and (String name, Object value) pairs; validity value = 20 bytes
 * (maxInactiveInterval i32, lastAccessedTime i64, thisAccessedTime i64).
 */
package lab.msm;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.catalina.util.CustomObjectInputStream;

final class StandinMsmCodec {
    static final int VERSION = 2;
    static final int VALIDITY_LENGTH = 20;

    private StandinMsmCodec() {
    }

    /** Decoded header fields + attributes of a session value. */
    static final class Decoded {
        long creationTime;
        long lastAccessedTime;
        int maxInactiveInterval;
        boolean isNew;
        boolean isValid;
        long thisAccessedTime;
        long lastBackupTime;
        String id;
        Map<String, Object> attributes = new LinkedHashMap<>();
    }

    static byte[] encodeSession(StandinMsmSession s, String id, long backupTime) throws IOException {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        int headerLength = 44 + idBytes.length + 2 + 2 + 2 + 2;
        ByteArrayOutputStream buf = new ByteArrayOutputStream(headerLength + 256);
        DataOutputStream out = new DataOutputStream(buf);
        out.writeShort(VERSION);
        out.writeShort(headerLength);
        out.writeLong(s.getCreationTimeInternal());
        out.writeLong(s.getLastAccessedTimeInternal());
        out.writeInt(s.getMaxInactiveInterval());
        out.writeByte(s.newFlag() ? '1' : '0');
        out.writeByte(s.validFlag() ? '1' : '0');
        out.writeLong(s.getThisAccessedTimeInternal());
        out.writeLong(backupTime);
        out.writeShort(idBytes.length);
        out.write(idBytes);
        out.writeShort(0); // authType: none
        out.writeShort(0); // principal: absent
        out.writeShort(0); // saved FORM request: absent
        out.writeShort(0); // saved FORM principal: absent
        out.flush();
        if (buf.size() != headerLength) throw new IOException("header is " + buf.size() + " bytes, expected " + headerLength);
        Map<String, Object> attrs = s.serializableAttributes();
        ObjectOutputStream oos = new ObjectOutputStream(buf);
        oos.writeObject(Integer.valueOf(attrs.size()));
        for (Map.Entry<String, Object> e : attrs.entrySet()) {
            oos.writeObject(e.getKey());
            oos.writeObject(e.getValue());
        }
        oos.flush();
        return buf.toByteArray();
    }

    static Decoded decodeSession(byte[] value, ClassLoader loader) throws IOException, ClassNotFoundException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
        int version = in.readUnsignedShort();
        if (version != 1 && version != 2) throw new IOException("unsupported session value version " + version);
        int headerLength = in.readUnsignedShort();
        Decoded d = new Decoded();
        d.creationTime = in.readLong();
        d.lastAccessedTime = in.readLong();
        d.maxInactiveInterval = in.readInt();
        d.isNew = bool(in.readUnsignedByte());
        d.isValid = bool(in.readUnsignedByte());
        d.thisAccessedTime = in.readLong();
        d.lastBackupTime = in.readLong();
        byte[] idBytes = new byte[in.readUnsignedShort()];
        in.readFully(idBytes);
        d.id = new String(idBytes, StandardCharsets.UTF_8);
        in.readUnsignedShort(); // authType (the stand-in never stores principals)
        skipLengthPrefixed(in);
        if (version == 2) {
            skipLengthPrefixed(in);
            skipLengthPrefixed(in);
        }
        if (headerLength > value.length) throw new IOException("header length " + headerLength + " > value length");
        ByteArrayInputStream attrs = new ByteArrayInputStream(value, headerLength, value.length - headerLength);
        try (ObjectInputStream ois = new CustomObjectInputStream(attrs, loader)) {
            int count = (Integer) ois.readObject();
            for (int i = 0; i < count; i++) {
                String name = (String) ois.readObject();
                Object v = ois.readObject();
                if (!"___NOT_SERIALIZABLE_EXCEPTION___".equals(v)) d.attributes.put(name, v);
            }
        }
        return d;
    }

    static byte[] encodeValidity(int maxInactive, long lastAccessed, long thisAccessed) {
        return ByteBuffer.allocate(VALIDITY_LENGTH).putInt(maxInactive).putLong(lastAccessed).putLong(thisAccessed).array();
    }

    /** {maxInactive, lastAccessed, thisAccessed}. */
    static long[] decodeValidity(byte[] value) throws IOException {
        if (value.length != VALIDITY_LENGTH) throw new IOException("validity value is " + value.length + " bytes, not 20");
        ByteBuffer b = ByteBuffer.wrap(value);
        return new long[] { b.getInt(), b.getLong(), b.getLong() };
    }

    static boolean validityIsValid(long[] v, long now) {
        return v[0] <= 0 || (now - v[2]) / 1000L < v[0];
    }

    private static boolean bool(int b) throws IOException {
        if (b == '1') return true;
        if (b == '0') return false;
        throw new IOException("boolean byte 0x" + Integer.toHexString(b) + " is not ASCII '0'/'1'");
    }

    private static void skipLengthPrefixed(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        if (in.skipBytes(n) != n) throw new IOException("truncated header");
    }
}
