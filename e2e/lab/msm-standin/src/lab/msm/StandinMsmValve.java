/*
 * LAB-ONLY STAND-IN for memcached-session-manager (MSM). NOT MSM: see StandinMsmManager.java.
 *
 * Around each request of the context: load the requested session from memcached unless this Tomcat
 * holds it (with the failover re-id and its Set-Cookie), run the request, then store the session; in
 * non-sticky mode also drop it from the local map. Added to the context's pipeline by StandinMsmManager.
 */
package lab.msm;

import java.io.IOException;

import org.apache.catalina.Manager;
import org.apache.catalina.Session;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

import jakarta.servlet.ServletException;

public class StandinMsmValve extends ValveBase {

    public StandinMsmValve() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        Manager m = request.getContext() == null ? null : request.getContext().getManager();
        if (!(m instanceof StandinMsmManager manager)) {
            getNext().invoke(request, response);
            return;
        }
        String requested = request.getRequestedSessionId();
        String loaded = requested == null ? null : manager.beginRequest(requested);
        if (loaded != null && !loaded.equals(requested)) {
            request.changeSessionId(loaded); // new requested id + Set-Cookie
        }
        try {
            getNext().invoke(request, response);
        } finally {
            Session session = null;
            try {
                session = request.getSessionInternal(false);
            } catch (IllegalStateException e) {
                // response committed and no session: nothing to store
            }
            manager.endRequest(session, loaded);
        }
    }
}
