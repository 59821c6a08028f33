package lab;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

/**
 * The lab's demo application (ClusterDeck e2e/lab). One servlet, mapped in web.xml:
 *   /counter  JSON, increments a per-session counter
 *   ""        (the context root, /app/) small HTML page, increments the same counter
 *   /health   "ok", never creates a session
 *   /slow     sleeps ?ms=N (max 30000) then answers, to make frontends show busy members
 * The node name comes from -Dlab.node (set to the Engine's jvmRoute by lab.sh); the version is
 * read from $CATALINA_BASE/app-version.txt on every request so tests can change it live.
 */
public class LabServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final String COUNTER = "counter";
    private static final int MAX_SLEEP_MS = 30_000;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("Cache-Control", "no-store");
        String path = req.getServletPath();
        switch (path) {
            case "/health" -> health(resp);
            case "/counter" -> counter(req, resp);
            case "/slow" -> slow(req, resp);
            case "", "/" -> page(req, resp);
            default -> resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    private static String node() {
        return System.getProperty("lab.node", "unknown");
    }

    private static String version() {
        String base = System.getProperty("catalina.base", ".");
        Path file = Paths.get(base, "app-version.txt");
        try {
            String v = Files.readString(file, StandardCharsets.UTF_8).trim();
            return v.isEmpty() ? "1" : v;
        } catch (IOException e) {
            return "1";
        }
    }

    /** Increments and re-sets the attribute: setAttribute is what makes DeltaManager replicate it. */
    private static int increment(HttpSession session) {
        Object current = session.getAttribute(COUNTER);
        int next = (current instanceof Integer i ? i : 0) + 1;
        session.setAttribute(COUNTER, Integer.valueOf(next));
        return next;
    }

    private static void health(HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain;charset=UTF-8");
        resp.getWriter().print("ok");
    }

    private static void counter(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        HttpSession session = req.getSession(true);
        boolean isNew = session.isNew();
        int counter = increment(session);
        resp.setContentType("application/json;charset=UTF-8");
        resp.getWriter().print("{\"node\":" + json(node()) + ",\"sessionId\":" + json(session.getId())
                + ",\"counter\":" + counter + ",\"version\":" + json(version()) + ",\"isNew\":" + isNew + "}");
    }

    private static void slow(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        int ms = 1000;
        String raw = req.getParameter("ms");
        if (raw != null) {
            try {
                ms = Integer.parseInt(raw.trim());
            } catch (NumberFormatException e) {
                resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "ms must be an integer");
                return;
            }
        }
        ms = Math.max(0, Math.min(MAX_SLEEP_MS, ms));
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        HttpSession session = req.getSession(false);
        resp.setContentType("application/json;charset=UTF-8");
        resp.getWriter().print("{\"node\":" + json(node()) + ",\"sleptMs\":" + ms + ",\"sessionId\":"
                + (session == null ? "null" : json(session.getId())) + ",\"version\":" + json(version()) + "}");
    }

    private static void page(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        HttpSession session = req.getSession(true);
        int counter = increment(session);
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter w = resp.getWriter();
        w.println("<!doctype html><html><head><meta charset=\"utf-8\"><title>ClusterDeck lab app</title></head>");
        w.println("<body style=\"font-family:sans-serif\"><h1>ClusterDeck lab app</h1><table>");
        w.println("<tr><th align=left>Node</th><td id=\"node\">" + html(node()) + "</td></tr>");
        w.println("<tr><th align=left>Session</th><td id=\"session\">" + html(session.getId()) + "</td></tr>");
        w.println("<tr><th align=left>Counter</th><td id=\"counter\">" + counter + "</td></tr>");
        w.println("<tr><th align=left>Version</th><td id=\"version\">" + html(version()) + "</td></tr>");
        w.println("</table><p>Reload to count; the counter lives in the replicated session.</p></body></html>");
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
