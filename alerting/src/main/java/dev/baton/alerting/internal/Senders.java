package dev.baton.alerting.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.events.Alert;
import dev.baton.events.AlertEmail;
import dev.baton.events.AlertSlack;
import dev.baton.events.AlertWebhook;
import dev.baton.events.Incident;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Properties;

/** Sends one notification to one destination: JSON webhook, Slack-compatible webhook, or e-mail over SMTP. */
public final class Senders {
    /** SMTP settings; {@code host} empty when none is configured. */
    public record Smtp(String host, int port, String from, String username, String password, boolean startTls) {}

    /** The JSON document a webhook receives (docs/alerts.md). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record WebhookBody(String idempotencyKey, String transition, String title, String text, String link,
                              IncidentBody incident) {}

    public record IncidentBody(String incidentId, String ruleId, String ruleName, String condition, String severity, String job,
                               String subject, String status, int occurrences, Instant openedAt, Instant lastOccurredAt,
                               String message, String lastRunId, boolean escalated, Instant acknowledgedAt,
                               String acknowledgedBy, Instant resolvedAt, String resolution) {
        public static IncidentBody of(Incident i) {
            return new IncidentBody(i.getIncidentId(), i.getRuleId(), i.getRuleName(), i.getCondition().name(),
                    i.getSeverity().name(), i.getJob(), i.getSubject(), i.getStatus().name(), i.getOccurrences(), i.getOpenedAt(),
                    i.getLastOccurredAt(), i.getMessage(), i.getLastRunId(), i.getEscalated(), i.getAcknowledgedAt(),
                    i.getAcknowledgedBy(), i.getResolvedAt(), i.getResolution());
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final HttpClient http;
    private final Duration timeout;
    private final Smtp smtp;
    private final SecretResolver secrets;
    private final String linkBase;

    public Senders(Duration timeout, Smtp smtp, SecretResolver secrets, String linkBase) {
        this.timeout = timeout;
        this.smtp = smtp;
        this.secrets = secrets;
        this.linkBase = linkBase == null || linkBase.isBlank() ? null : linkBase.replaceAll("/+$", "");
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public Delivery send(Alert alert, Object destination) {
        try {
            return switch (destination) {
                case AlertWebhook w -> post(secrets.resolve(w.getUrl()), resolved(w.getHeaders()), JSON.writeValueAsString(
                        new WebhookBody(alert.getEventId(), alert.getTransition().name(), alert.getTitle(), alert.getText(),
                                link(alert), IncidentBody.of(alert.getIncident()))), alert);
                case AlertSlack s -> post(secrets.resolve(s.getUrl()), Map.of(),
                        JSON.writeValueAsString(Map.of("text", slackText(alert))), alert);
                case AlertEmail e -> mail(alert, e);
                default -> new Delivery.Failed("unknown destination " + destination.getClass().getSimpleName());
            };
        } catch (SecretResolver.MissingSecret e) {
            return new Delivery.Failed(e.getMessage());
        } catch (IOException e) {
            return new Delivery.Retry(e.toString());
        }
    }

    public static String kind(Object destination) {
        return switch (destination) {
            case AlertWebhook w -> "webhook";
            case AlertSlack s -> "slack";
            case AlertEmail e -> "email";
            default -> destination.getClass().getSimpleName();
        };
    }

    private Map<String, String> resolved(Map<String, String> headers) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        headers.forEach((k, v) -> out.put(k, secrets.resolve(v)));
        return out;
    }

    private String link(Alert a) {
        return linkBase == null ? null : linkBase + "/api/v1/incidents/" + a.getIncidentId();
    }

    private String slackText(Alert a) {
        String link = link(a);
        return "*" + a.getTitle() + "*\n" + a.getText() + (link == null ? "" : "\n<" + link + "|Incident " + a.getIncidentId() + ">");
    }

    private Delivery post(String url, Map<String, String> headers, String body, Alert alert) {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(url));
        } catch (IllegalArgumentException e) {
            return new Delivery.Failed("not a valid URL (after resolving secrets)");
        }
        b.timeout(timeout).header("Content-Type", "application/json")
                .header("Idempotency-Key", alert.getEventId())
                .header("User-Agent", "baton-alerting");
        headers.forEach(b::header);
        try {
            HttpResponse<Void> r = http.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.discarding());
            int s = r.statusCode();
            if (s >= 200 && s < 300) {
                return new Delivery.Delivered();
            }
            String why = "HTTP " + s;
            return s == 408 || s == 429 || s >= 500 ? new Delivery.Retry(why) : new Delivery.Failed(why);
        } catch (IOException e) {
            return new Delivery.Retry(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Delivery.Retry("interrupted");
        }
    }

    private Delivery mail(Alert alert, AlertEmail e) {
        if (smtp.host().isBlank()) {
            return new Delivery.Failed("no SMTP server configured (alerting.smtp.host)");
        }
        Properties p = new Properties();
        p.put("mail.smtp.host", smtp.host());
        p.put("mail.smtp.port", String.valueOf(smtp.port()));
        p.put("mail.smtp.connectiontimeout", String.valueOf(timeout.toMillis()));
        p.put("mail.smtp.timeout", String.valueOf(timeout.toMillis()));
        p.put("mail.smtp.writetimeout", String.valueOf(timeout.toMillis()));
        if (smtp.startTls()) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        boolean auth = !smtp.username().isBlank();
        if (auth) {
            p.put("mail.smtp.auth", "true");
        }
        Session session = Session.getInstance(p);
        try {
            MimeMessage m = new MimeMessage(session) {
                @Override
                protected void updateMessageID() throws MessagingException {
                    // Derived from the idempotency key, so a redelivered alert is the same message to mail clients.
                    setHeader("Message-ID", "<" + alert.getEventId() + "@baton>");
                }
            };
            m.setFrom(new InternetAddress(smtp.from()));
            for (String to : e.getTo()) {
                m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
            }
            m.setSubject(alert.getTitle(), "UTF-8");
            String link = link(alert);
            m.setText(alert.getText() + (link == null ? "" : "\n\n" + link) + "\n\nIdempotency key: " + alert.getEventId() + "\n",
                    "UTF-8");
            m.setHeader("X-Baton-Idempotency-Key", alert.getEventId());
            m.setSentDate(Date.from(alert.getTimestamp()));
            if (auth) {
                Transport.send(m, smtp.username(), smtp.password());
            } else {
                Transport.send(m);
            }
            return new Delivery.Delivered();
        } catch (jakarta.mail.internet.AddressException ex) {
            return new Delivery.Failed("invalid address: " + ex.getMessage());
        } catch (MessagingException ex) {
            return new Delivery.Retry("SMTP: " + ex.getMessage());
        }
    }
}
