/*
 * LAB-ONLY STAND-IN for memcached-session-manager (MSM). NOT MSM: see MemcachedTextClient.java.
 *
 * A StandardSession whose fields the stand-in manager can restore from memcached.
 */
package lab.msm;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.catalina.Manager;
import org.apache.catalina.session.StandardSession;

public class StandinMsmSession extends StandardSession {
    private static final long serialVersionUID = 1L;

    public StandinMsmSession(Manager manager) {
        super(manager);
    }

    /** Restores the stored fields without listeners or events (the id is set afterwards). */
    void restore(long creation, long lastAccessed, long thisAccessed, int maxInactive, boolean fresh,
            Map<String, Object> attrs) {
        this.creationTime = creation;
        this.lastAccessedTime = lastAccessed;
        this.thisAccessedTime = thisAccessed;
        this.maxInactiveInterval = maxInactive;
        this.isNew = fresh;
        this.isValid = true;
        this.attributes.putAll(attrs);
    }

    boolean validFlag() {
        return isValid;
    }

    boolean newFlag() {
        return isNew;
    }

    /** Serializable attributes in iteration order (MSM's Java transcoder skips the others). */
    Map<String, Object> serializableAttributes() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : attributes.entrySet()) {
            if (e.getValue() instanceof Serializable) out.put(e.getKey(), e.getValue());
        }
        return out;
    }
}
