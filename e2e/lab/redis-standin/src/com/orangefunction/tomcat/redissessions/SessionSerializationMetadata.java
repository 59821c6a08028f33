/*
 * LAB-ONLY STAND-IN for jcoleman tomcat-redis-session-manager. NOT that project: see
 * lab/redis/StandinJcolemanStore.java.
 *
 * The first object of every value that manager writes (docs/reference/session-stores.md §2) is its
 * SessionSerializationMetadata. This class exists only so the stand-in's values carry the same class
 * descriptor (this package and name, serialVersionUID 1, one byte[] field) and the same custom
 * writeObject block (int length + MD5 bytes, no default fields): values are then byte-for-byte what the
 * real manager writes, and ClusterDeck's decoder is tested against that shape.
 */
package com.orangefunction.tomcat.redissessions;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

public class SessionSerializationMetadata implements Serializable {
    private static final long serialVersionUID = 1L;

    /** MD5 of the serialized attribute map; declared for the descriptor, written by writeObject. */
    private byte[] sessionAttributesHash = new byte[0];

    public SessionSerializationMetadata() {
    }

    public SessionSerializationMetadata(byte[] hash) {
        this.sessionAttributesHash = hash;
    }

    public byte[] getSessionAttributesHash() {
        return sessionAttributesHash;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        out.writeInt(sessionAttributesHash.length);
        out.write(sessionAttributesHash);
    }

    private void readObject(ObjectInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > 1024) throw new IOException("bad attributes hash length " + length);
        sessionAttributesHash = in.readNBytes(length);
    }
}
