package dev.baton.alerting;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A minimal SMTP server on 127.0.0.1 (no TLS, no auth) that keeps every message it accepts. One session at a time. */
public final class FakeSmtpServer implements AutoCloseable {
    /** One accepted message: envelope and raw DATA. */
    public record Mail(String from, List<String> to, String data) {}

    private final ServerSocket socket;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Mail> mails = new ConcurrentLinkedQueue<>();

    public FakeSmtpServer() {
        try {
            socket = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        thread = new Thread(this::serve, "fake-smtp");
        thread.setDaemon(true);
        thread.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    public List<Mail> mails() {
        return new ArrayList<>(mails);
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket s = socket.accept()) {
                session(s);
            } catch (IOException e) {
                // closed, or the client went away: take the next connection
            }
        }
    }

    private void session(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8);
        reply(out, "220 fake-smtp ready");
        String from = null;
        List<String> to = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            String cmd = line.toUpperCase();
            if (cmd.startsWith("EHLO") || cmd.startsWith("HELO")) {
                reply(out, "250 fake-smtp");
            } else if (cmd.startsWith("MAIL FROM:")) {
                from = line.substring(10).trim();
                reply(out, "250 OK");
            } else if (cmd.startsWith("RCPT TO:")) {
                to.add(line.substring(8).trim());
                reply(out, "250 OK");
            } else if (cmd.equals("DATA")) {
                reply(out, "354 end with <CRLF>.<CRLF>");
                StringBuilder data = new StringBuilder();
                String l;
                while ((l = in.readLine()) != null && !l.equals(".")) {
                    data.append(l.startsWith("..") ? l.substring(1) : l).append('\n');
                }
                mails.add(new Mail(from, List.copyOf(to), data.toString()));
                to.clear();
                reply(out, "250 OK queued");
            } else if (cmd.equals("QUIT")) {
                reply(out, "221 bye");
                return;
            } else if (cmd.equals("RSET") || cmd.equals("NOOP")) {
                reply(out, "250 OK");
            } else {
                reply(out, "502 not implemented");
            }
        }
    }

    private static void reply(Writer out, String text) throws IOException {
        out.write(text + "\r\n");
        out.flush();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
