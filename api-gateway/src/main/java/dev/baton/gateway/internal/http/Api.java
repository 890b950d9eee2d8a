package dev.baton.gateway.internal.http;

import dev.baton.gateway.Role;
import io.vertx.core.http.HttpMethod;

/**
 * Every route the gateway serves. The router is built from this table only, and a test checks that the
 * OpenAPI document describes each entry, so the two cannot drift apart.
 */
public enum Api {
    HEALTH(HttpMethod.GET, "/health", null, null),
    METRICS(HttpMethod.GET, "/metrics", null, null),
    OPENAPI(HttpMethod.GET, "/api/v1/openapi.yaml", Role.VIEWER, null),
    JOBS_REGISTER(HttpMethod.POST, "/api/v1/jobs", Role.ADMIN, "jobs.register"),
    JOBS_LIST(HttpMethod.GET, "/api/v1/jobs", Role.VIEWER, null),
    JOBS_GET(HttpMethod.GET, "/api/v1/jobs/{name}", Role.VIEWER, null),
    RUNS_TRIGGER(HttpMethod.POST, "/api/v1/jobs/{name}/runs", Role.OPERATOR, "runs.trigger"),
    WEBHOOK_TRIGGER(HttpMethod.POST, "/api/v1/jobs/{name}/trigger", Role.OPERATOR, "runs.webhook"),
    SCHEDULES_LIST(HttpMethod.GET, "/api/v1/schedules", Role.VIEWER, null),
    JOB_SCHEDULES_LIST(HttpMethod.GET, "/api/v1/jobs/{name}/schedules", Role.VIEWER, null),
    JOB_SCHEDULES_GET(HttpMethod.GET, "/api/v1/jobs/{name}/schedules/{schedule}", Role.VIEWER, null),
    SCHEDULES_PAUSE(HttpMethod.POST, "/api/v1/jobs/{name}/schedules/{schedule}/pause", Role.OPERATOR, "schedules.pause"),
    SCHEDULES_RESUME(HttpMethod.POST, "/api/v1/jobs/{name}/schedules/{schedule}/resume", Role.OPERATOR, "schedules.resume"),
    RUNS_LIST(HttpMethod.GET, "/api/v1/runs", Role.VIEWER, null),
    RUNS_GET(HttpMethod.GET, "/api/v1/runs/{id}", Role.VIEWER, null),
    RUNS_CANCEL(HttpMethod.POST, "/api/v1/runs/{id}/cancel", Role.OPERATOR, "runs.cancel"),
    RUNS_RETRY(HttpMethod.POST, "/api/v1/runs/{id}/retry", Role.OPERATOR, "runs.retry"),
    RUNS_EVENTS(HttpMethod.GET, "/api/v1/runs/{id}/events", Role.VIEWER, null),
    RUNS_LOGS(HttpMethod.GET, "/api/v1/runs/{id}/logs", Role.VIEWER, null),
    RUNS_STATE(HttpMethod.GET, "/api/v1/runs/{id}/state", Role.VIEWER, null),
    ASSETS_LIST(HttpMethod.GET, "/api/v1/assets", Role.VIEWER, null),
    // Asset keys contain '/', so the key is the rest of the path: the routes with a suffix come first.
    ASSETS_LINEAGE(HttpMethod.GET, "/api/v1/assets/{key}/lineage", Role.VIEWER, null),
    ASSETS_CHECKS(HttpMethod.GET, "/api/v1/assets/{key}/checks", Role.VIEWER, null),
    ASSETS_PARTITIONS(HttpMethod.GET, "/api/v1/assets/{key}/partitions", Role.VIEWER, null),
    ASSETS_GET(HttpMethod.GET, "/api/v1/assets/{key}", Role.VIEWER, null),
    AGENTS_LIST(HttpMethod.GET, "/api/v1/agents", Role.VIEWER, null),
    POOLS_LIST(HttpMethod.GET, "/api/v1/pools", Role.VIEWER, null),
    AUDIT_LIST(HttpMethod.GET, "/api/v1/audit", Role.ADMIN, null),
    // The web UI's session: the bearer token becomes an HttpOnly cookie (docs/ui.md).
    SESSION_CREATE(HttpMethod.POST, "/api/v1/session", Role.VIEWER, "session.create"),
    SESSION_DELETE(HttpMethod.DELETE, "/api/v1/session", Role.VIEWER, null),
    WHOAMI(HttpMethod.GET, "/api/v1/whoami", Role.VIEWER, null),
    BACKFILLS_CREATE(HttpMethod.POST, "/api/v1/jobs/{name}/backfills", Role.OPERATOR, "backfills.create"),
    BACKFILLS_LIST(HttpMethod.GET, "/api/v1/backfills", Role.VIEWER, null),
    BACKFILLS_GET(HttpMethod.GET, "/api/v1/backfills/{id}", Role.VIEWER, null),
    BACKFILLS_CANCEL(HttpMethod.POST, "/api/v1/backfills/{id}/cancel", Role.OPERATOR, "backfills.cancel"),
    BACKFILLS_PAUSE(HttpMethod.POST, "/api/v1/backfills/{id}/pause", Role.OPERATOR, "backfills.pause"),
    BACKFILLS_RESUME(HttpMethod.POST, "/api/v1/backfills/{id}/resume", Role.OPERATOR, "backfills.resume"),
    JOB_PARTITIONS(HttpMethod.GET, "/api/v1/jobs/{name}/partitions", Role.VIEWER, null),
    BACKFILLS_RETRY_FAILED(HttpMethod.POST, "/api/v1/backfills/{id}/retry-failed", Role.OPERATOR, "backfills.retry-failed"),
    INCIDENTS_LIST(HttpMethod.GET, "/api/v1/incidents", Role.VIEWER, null),
    INCIDENTS_GET(HttpMethod.GET, "/api/v1/incidents/{incidentId}", Role.VIEWER, null),
    INCIDENTS_ACK(HttpMethod.POST, "/api/v1/incidents/{incidentId}/ack", Role.OPERATOR, "incidents.ack"),
    SENSORS_LIST(HttpMethod.GET, "/api/v1/sensors", Role.VIEWER, null),
    PARTITION_KEYS_ADD(HttpMethod.POST, "/api/v1/partitions/{name}/keys", Role.OPERATOR, "partitions.keys.add"),
    PARTITION_KEYS_LIST(HttpMethod.GET, "/api/v1/partitions/{name}/keys", Role.VIEWER, null),
    PARTITION_KEYS_REMOVE(HttpMethod.DELETE, "/api/v1/partitions/{name}/keys/{partitionKey}", Role.OPERATOR, null);

    private final HttpMethod method;
    private final String path;
    private final Role role;
    private final String action;

    Api(HttpMethod method, String path, Role role, String action) {
        this.method = method;
        this.path = path;
        this.role = role;
        this.action = action;
    }

    public HttpMethod method() { return method; }

    /** The path as OpenAPI writes it ({@code /runs/{id}}). */
    public String path() { return path; }

    /** The role needed, or null for a public route. */
    public Role role() { return role; }

    /** The audit action of a mutating route ({@code runs.trigger}), or null for reads. */
    public String action() { return action; }

    /** The route as Vert.x Web matches it: {@code :param} placeholders, or a regex for the asset key. */
    public String vertxPath() {
        return path.replaceAll("\\{([a-zA-Z]+)}", ":$1");
    }

    /** Routes matched by {@link #vertxRegex()}: those with an asset key, which may contain '/'. */
    public boolean regex() {
        return path.contains("{key}");
    }

    /** {@code {key}} matches the rest of the path up to the route's suffix (an asset key may contain '/'). */
    public String vertxRegex() {
        String[] parts = path.split("\\{key}", -1);
        return "^" + parts[0] + "(?<key>.+)" + parts[1] + "$"; // the fixed parts are plain [a-z0-9/]
    }
}
