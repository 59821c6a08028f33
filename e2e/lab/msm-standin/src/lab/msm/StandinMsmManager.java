/*
 * LAB-ONLY STAND-IN for memcached-session-manager (MSM). This is NOT MSM and contains none of its code:
 * it imitates, for ClusterDeck's test lab only, what MSM 2.3.2 does with the default Java serialization
 * transcoder and no storage-key prefix (docs/reference/session-stores.md §1.2-§1.5, §1.7).
 *
 * NON-STICKY (the default here):
 *
 *   - ids:   <32 HEX>-<nodeId>.<jvmRoute>, node picked at random among available nodes;
 *   - keys:  ID (TTL 2 x maxInactive) and validity:ID (TTL maxInactive) on the node named in the id,
 *            bak:ID and bak:validity:ID (same TTLs, same bytes) on the next available node in
 *            memcachedNodes order; all with flags 0;
 *   - every request loads the session from memcached (StandinMsmValve), the end of the request writes
 *     all four keys and drops the session from the local map;
 *   - memcached failover: if the id's node is down, the bak: pair is read from the next available
 *     node, the session gets a new id on that node (route unchanged), and the client a Set-Cookie;
 *   - invalidation deletes all four keys.
 *
 * STICKY (sticky="true", optional failoverNodes="n2"): the Tomcat's memory holds the primary, memcached
 * the copy another Tomcat fails over to:
 *   - ids:   <32 HEX>-<nodeId>.<jvmRoute>, node picked at random among this Tomcat's non-failover nodes;
 *   - keys:  ID only (no validity:, no bak:), TTL maxInactive - 6 s, written at the end of every request;
 *            the session stays in this Tomcat's map;
 *   - Tomcat failover: a Tomcat asked for a session it does not hold loads ID from memcached; when the id
 *     names another route it deletes the old key, gives the session a new id with its own route and one
 *     of its own nodes (-n4.tomcat2 -> -n5.tomcat1), and the client a Set-Cookie;
 *   - expiry or invalidation in Tomcat deletes the key.
 * Not imitated: locking, storageKeyPrefix, ping-add of unmodified sessions, async backup, memcached
 * failover in sticky mode, principals / FORM auth, Kryo & co.
 *
 *   <Manager className="lab.msm.StandinMsmManager" memcachedNodes="n1:127.0.0.1:11311,n2:127.0.0.1:11312"/>
 *   <Manager className="lab.msm.StandinMsmManager" memcachedNodes="n4:…,n5:…" sticky="true" failoverNodes="n5"/>
 *
 * The manager adds its own StandinMsmValve to the context's pipeline when it starts.
 */
package lab.msm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Session;
import org.apache.catalina.session.ManagerBase;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

public class StandinMsmManager extends ManagerBase {
    private static final Log log = LogFactory.getLog(StandinMsmManager.class);
    private static final Pattern NODE = Pattern.compile("(\\w+):([^:]+):(\\d+)");
    static final String VALIDITY = "validity:";
    static final String BACKUP = "bak:";
    /** Sticky MSM stores the session key for maxInactiveInterval minus this (1794 s for 1800, §1.7). */
    static final int STICKY_TTL_MARGIN_S = 6;

    private String memcachedNodes = "";
    private int operationTimeout = 1000;
    private int nodeAvailabilityCacheTtl = 1000;
    private boolean sticky = false;
    /** Sticky: nodes this Tomcat stores its sessions on only when none of the others is available. */
    private Set<String> failoverNodes = Collections.emptySet();

    /** nodeId -> client, in memcachedNodes order. */
    private volatile Map<String, MemcachedTextClient> nodes = Collections.emptyMap();
    /** nodeId -> {available 0/1, checkedAtMillis}. */
    private final Map<String, long[]> availability = new ConcurrentHashMap<>();
    /** Requests in flight per session id: the session leaves the local map when the last one ends. */
    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();
    private StandinMsmValve valve;

    // ----------------------------------------------------------------- configuration

    public String getMemcachedNodes() {
        return memcachedNodes;
    }

    public void setMemcachedNodes(String spec) {
        Map<String, MemcachedTextClient> parsed = new LinkedHashMap<>();
        for (String part : spec.trim().split("[,\\s]+")) {
            if (part.isEmpty()) continue;
            Matcher m = NODE.matcher(part);
            if (!m.matches()) throw new IllegalArgumentException("memcachedNodes entry '" + part + "' is not id:host:port");
            parsed.put(m.group(1), new MemcachedTextClient(m.group(2), Integer.parseInt(m.group(3)), operationTimeout));
        }
        if (parsed.isEmpty()) throw new IllegalArgumentException("memcachedNodes is empty");
        this.memcachedNodes = spec;
        this.nodes = parsed;
        availability.clear();
    }

    public int getOperationTimeout() {
        return operationTimeout;
    }

    public void setOperationTimeout(int ms) {
        this.operationTimeout = ms;
        if (!memcachedNodes.isEmpty()) setMemcachedNodes(memcachedNodes);
    }

    public int getNodeAvailabilityCacheTtl() {
        return nodeAvailabilityCacheTtl;
    }

    public void setNodeAvailabilityCacheTtl(int ms) {
        this.nodeAvailabilityCacheTtl = ms;
    }

    public boolean isSticky() {
        return sticky;
    }

    public void setSticky(boolean sticky) {
        this.sticky = sticky;
    }

    public String getFailoverNodes() {
        return String.join(",", failoverNodes);
    }

    public void setFailoverNodes(String spec) {
        Set<String> parsed = new LinkedHashSet<>();
        for (String part : spec.trim().split("[,\\s]+")) {
            if (!part.isEmpty()) parsed.add(part);
        }
        this.failoverNodes = parsed;
    }

    // ----------------------------------------------------------------- lifecycle

    @Override
    protected void startInternal() throws LifecycleException {
        super.startInternal();
        if (nodes.isEmpty()) throw new LifecycleException("StandinMsmManager: memcachedNodes is not set");
        for (String f : failoverNodes) {
            if (!nodes.containsKey(f)) throw new LifecycleException("StandinMsmManager: failover node " + f + " is not in memcachedNodes");
        }
        Context context = getContext();
        valve = new StandinMsmValve();
        context.getPipeline().addValve(valve);
        log.info("Lab stand-in for MSM (NOT memcached-session-manager) on " + context.getName() + ": "
                + (sticky ? "sticky, failover nodes " + failoverNodes : "non-sticky") + ", nodes " + nodes
                + ", jvmRoute " + getJvmRoute());
        setState(LifecycleState.STARTING);
    }

    @Override
    protected void stopInternal() throws LifecycleException {
        setState(LifecycleState.STOPPING);
        if (valve != null) {
            getContext().getPipeline().removeValve(valve);
            valve = null;
        }
        // Sessions live in memcached: nothing is expired or unloaded here.
        sessions.clear();
        inFlight.clear();
        super.stopInternal();
    }

    @Override
    public void load() {
    }

    @Override
    public void unload() {
    }

    @Override
    public Session createEmptySession() {
        return new StandinMsmSession(this);
    }

    // ----------------------------------------------------------------- ids and nodes

    /** Tomcat's HEX[.jvmRoute] with -nodeId inserted before the first '.', node chosen at random. */
    @Override
    protected String generateSessionId() {
        return withNode(super.generateSessionId(), nodeForNewSession());
    }

    /** An available node that is not a failover node; else an available failover node; else any. */
    private String nodeForNewSession() {
        List<String> up = new ArrayList<>();
        for (String n : nodes.keySet()) {
            if (!failoverNodes.contains(n) && isAvailable(n)) up.add(n);
        }
        if (up.isEmpty()) {
            for (String n : failoverNodes) {
                if (isAvailable(n)) up.add(n);
            }
        }
        if (up.isEmpty()) up.addAll(nodes.keySet());
        return up.get(ThreadLocalRandom.current().nextInt(up.size()));
    }

    /** Replaces (or appends) the .jvmRoute part; the base and node are kept. */
    static String withRoute(String id, String route) {
        int dot = id.indexOf('.');
        String head = dot < 0 ? id : id.substring(0, dot);
        return route == null || route.isEmpty() ? head : head + "." + route;
    }

    /** The node id between the first '-' and the first '.', or null. */
    static String nodeOf(String id) {
        int dash = id.indexOf('-');
        int dot = id.indexOf('.');
        if (dash < 0 || (dot >= 0 && dot < dash)) return null;
        return dot < 0 ? id.substring(dash + 1) : id.substring(dash + 1, dot);
    }

    /** Replaces (or inserts) the node part; the route is kept. */
    static String withNode(String id, String node) {
        int dot = id.indexOf('.');
        String head = dot < 0 ? id : id.substring(0, dot);
        String route = dot < 0 ? "" : id.substring(dot);
        int dash = head.indexOf('-');
        if (dash >= 0) head = head.substring(0, dash);
        return head + "-" + node + route;
    }

    private boolean isAvailable(String node) {
        long now = System.currentTimeMillis();
        long[] cached = availability.get(node);
        if (cached != null && now - cached[1] < nodeAvailabilityCacheTtl) return cached[0] == 1;
        boolean ok;
        try {
            nodes.get(node).get("ping-" + node);
            ok = true;
        } catch (IOException e) {
            ok = false;
        }
        availability.put(node, new long[] { ok ? 1 : 0, now });
        return ok;
    }

    private void markDown(String node, IOException cause) {
        availability.put(node, new long[] { 0, System.currentTimeMillis() });
        log.warn("memcached node " + node + " (" + nodes.get(node) + ") unavailable: " + cause);
    }

    /** The next available node after `node` in memcachedNodes order (wrapping), or null. */
    String nextAvailableNode(String node) {
        List<String> ids = new ArrayList<>(nodes.keySet());
        int start = ids.indexOf(node);
        if (start < 0) return null;
        for (int step = 1; step < ids.size(); step++) {
            String candidate = ids.get((start + step) % ids.size());
            if (isAvailable(candidate)) return candidate;
        }
        return null;
    }

    // ----------------------------------------------------------------- per request (called by the valve)

    /**
     * Makes the requested session present in the local map. Returns the id it now has (a new one after a
     * memcached failover), or null when there is no such (valid) session.
     */
    String beginRequest(String requestedId) {
        String node = nodeOf(requestedId);
        if (node == null || !nodes.containsKey(node)) return null;
        synchronized (this) {
            if (sessions.containsKey(requestedId)) {
                inFlight.merge(requestedId, 1, Integer::sum);
                return requestedId;
            }
        }
        if (sticky) return takeOver(requestedId, node);
        String id = requestedId;
        byte[] validity;
        byte[] value;
        try {
            MemcachedTextClient primary = nodes.get(node);
            validity = primary.get(VALIDITY + requestedId);
            value = validity == null ? null : primary.get(requestedId);
        } catch (IOException e) {
            markDown(node, e);
            String bakNode = nextAvailableNode(node);
            if (bakNode == null) return null;
            try {
                MemcachedTextClient backup = nodes.get(bakNode);
                validity = backup.get(BACKUP + VALIDITY + requestedId);
                value = validity == null ? null : backup.get(BACKUP + requestedId);
            } catch (IOException e2) {
                markDown(bakNode, e2);
                return null;
            }
            if (value == null) return null;
            id = withNode(requestedId, bakNode);
            log.info("memcached failover: session " + requestedId + " restored from " + BACKUP + " keys on " + bakNode
                    + ", new id " + id);
        }
        if (validity == null || value == null) return null;
        try {
            long[] v = StandinMsmCodec.decodeValidity(validity);
            if (!StandinMsmCodec.validityIsValid(v, System.currentTimeMillis())) return null;
            StandinMsmCodec.Decoded d = StandinMsmCodec.decodeSession(value, getContext().getLoader().getClassLoader());
            StandinMsmSession session = (StandinMsmSession) createEmptySession();
            // Validity info overrides the access times, as in MSM. The value was written before Tomcat's
            // endAccess of that request, so its thisAccessedTime is what endAccess would have made the
            // lastAccessedTime. A stored session is not new any more.
            session.restore(d.creationTime, v[2], v[2], (int) v[0], false, d.attributes);
            synchronized (this) {
                if (sessions.containsKey(id)) { // a concurrent request loaded it first
                    inFlight.merge(id, 1, Integer::sum);
                    return id;
                }
                session.setId(id, false); // also adds it to the local map
                inFlight.merge(id, 1, Integer::sum);
            }
            return id;
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            log.warn("cannot load session " + requestedId + " from memcached", e);
            return null;
        }
    }

    /**
     * Sticky: a session this Tomcat does not hold (another Tomcat's, or its own from before a restart),
     * loaded from its memcached key. Another route's session gets this Tomcat's route and one of its
     * nodes, and the old key is deleted.
     */
    private String takeOver(String requestedId, String node) {
        byte[] value;
        try {
            value = nodes.get(node).get(requestedId);
        } catch (IOException e) {
            markDown(node, e);
            return null;
        }
        if (value == null) return null;
        try {
            StandinMsmCodec.Decoded d = StandinMsmCodec.decodeSession(value, getContext().getLoader().getClassLoader());
            long idleMs = System.currentTimeMillis() - d.thisAccessedTime;
            if (!d.isValid || (d.maxInactiveInterval > 0 && idleMs >= d.maxInactiveInterval * 1000L)) return null;
            String route = getJvmRoute();
            boolean ours = route == null || route.isEmpty() || requestedId.endsWith("." + route);
            String id = ours ? requestedId : withNode(withRoute(requestedId, route), nodeForNewSession());
            StandinMsmSession session = (StandinMsmSession) createEmptySession();
            // As in the non-sticky load: the stored thisAccessedTime is what endAccess made lastAccessedTime.
            session.restore(d.creationTime, d.thisAccessedTime, d.thisAccessedTime, d.maxInactiveInterval, false,
                    d.attributes);
            synchronized (this) {
                if (sessions.containsKey(id)) {
                    inFlight.merge(id, 1, Integer::sum);
                    return id;
                }
                session.setId(id, false);
                inFlight.merge(id, 1, Integer::sum);
            }
            if (!id.equals(requestedId)) {
                try {
                    nodes.get(node).delete(requestedId);
                } catch (IOException e) {
                    markDown(node, e);
                }
                log.info("sticky failover: session " + requestedId + " taken over from memcached " + node + ", new id " + id);
            }
            return id;
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            log.warn("cannot load session " + requestedId + " from memcached", e);
            return null;
        }
    }

    /** Writes the request's session to memcached and drops local copies no longer in use. */
    void endRequest(Session session, String loadedId) {
        if (session instanceof StandinMsmSession s && s.validFlag()) {
            store(s);
        }
        synchronized (this) {
            release(loadedId);
            String id = session == null ? null : session.getIdInternal();
            if (id != null && !id.equals(loadedId)) release(id);
        }
    }

    private void release(String id) {
        if (id == null) return;
        Integer left = inFlight.computeIfPresent(id, (k, n) -> n > 1 ? n - 1 : null);
        // Sticky: the session stays in this Tomcat's memory between requests.
        if (left == null && !sticky) sessions.remove(id);
    }

    private void store(StandinMsmSession s) {
        String id = s.getIdInternal();
        String node = nodeOf(id);
        MemcachedTextClient primary = node == null ? null : nodes.get(node);
        if (primary == null) {
            log.warn("session " + id + " names no configured memcached node: not stored");
            return;
        }
        int maxInactive = s.getMaxInactiveInterval();
        int sessionTtl = maxInactive <= 0 ? 0 : 2 * maxInactive;
        int validityTtl = Math.max(maxInactive, 0);
        byte[] value;
        try {
            value = StandinMsmCodec.encodeSession(s, id, System.currentTimeMillis());
        } catch (IOException e) {
            log.warn("cannot serialize session " + id, e);
            return;
        }
        if (sticky) {
            int ttl = maxInactive <= 0 ? 0 : Math.max(1, maxInactive - STICKY_TTL_MARGIN_S);
            try {
                primary.set(id, ttl, value);
            } catch (IOException e) {
                markDown(node, e);
            }
            return;
        }
        byte[] validity = StandinMsmCodec.encodeValidity(maxInactive, s.getLastAccessedTimeInternal(), s.getThisAccessedTimeInternal());
        try {
            primary.set(id, sessionTtl, value);
            primary.set(VALIDITY + id, validityTtl, validity);
        } catch (IOException e) {
            markDown(node, e);
        }
        String bakNode = nextAvailableNode(node);
        if (bakNode == null) return;
        try {
            MemcachedTextClient backup = nodes.get(bakNode);
            backup.set(BACKUP + id, sessionTtl, value);
            backup.set(BACKUP + VALIDITY + id, validityTtl, validity);
        } catch (IOException e) {
            markDown(bakNode, e);
        }
    }

    private void deleteFromMemcached(String id) {
        String node = nodeOf(id);
        if (node == null || !nodes.containsKey(node)) return;
        try {
            nodes.get(node).delete(id);
            if (sticky) return;
            nodes.get(node).delete(VALIDITY + id);
        } catch (IOException e) {
            markDown(node, e);
        }
        if (sticky) return;
        String bakNode = nextAvailableNode(node);
        if (bakNode == null) return;
        try {
            nodes.get(bakNode).delete(BACKUP + id);
            nodes.get(bakNode).delete(BACKUP + VALIDITY + id);
        } catch (IOException e) {
            markDown(bakNode, e);
        }
    }

    // ----------------------------------------------------------------- invalidation

    /** Called when a session is invalidated or expires (and by StandardSession.setId on an id change). */
    @Override
    public void remove(Session session, boolean update) {
        String id = session.getIdInternal();
        super.remove(session, update);
        if (id != null) {
            inFlight.remove(id);
            deleteFromMemcached(id);
        }
    }

    /** JMX operation: also deletes the memcached keys of a session that is not in this Tomcat's map. */
    @Override
    public void expireSession(String sessionId) {
        if (sessions.containsKey(sessionId)) {
            super.expireSession(sessionId);
        } else {
            deleteFromMemcached(sessionId);
        }
    }
}
