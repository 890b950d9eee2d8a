package dev.baton.gateway.internal.http;

import dev.baton.gateway.JobScope;
import dev.baton.gateway.internal.readmodel.ReadModel;
import dev.baton.gateway.internal.readmodel.ReadStores;
import dev.baton.gateway.internal.readmodel.RunView;
import dev.baton.gateway.internal.readmodel.Keys;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Token refusals and job scopes, in one place. A token scoped to job globs sees jobs and runs outside its scope as
 * if they did not exist: {@code 404 not_found} on every path naming them, and lists leave them out.
 */
final class AccessControl {
    private AccessControl() {}

    /** The 401 for a token that is missing, unknown, expired or revoked; {@code reason} says which. */
    static ApiError refusal(TokenStore.Check check, boolean headerPresent) {
        return switch (check) {
            case TokenStore.Check.Valid v -> throw new IllegalArgumentException("a valid token is not refused");
            case TokenStore.Check.Unknown u -> new ApiError(401, ApiError.UNAUTHORIZED, headerPresent
                    ? "the token is not valid" : "this endpoint needs 'Authorization: Bearer <token>'",
                    Map.of("reason", headerPresent ? "unknown" : "missing"));
            case TokenStore.Check.Expired e -> new ApiError(401, ApiError.UNAUTHORIZED,
                    "token '" + e.name() + "' expired at " + e.at(), Map.of("reason", "expired"));
            case TokenStore.Check.Revoked r -> new ApiError(401, ApiError.UNAUTHORIZED,
                    "token '" + r.name() + "' was revoked at " + r.at(), Map.of("reason", "revoked"));
        };
    }

    /** The job scope of the caller ({@link JobScope#ALL} for public routes). */
    static JobScope scope(RoutingContext ctx) {
        TokenStore.Principal p = ctx.get(Http.PRINCIPAL);
        return p == null ? JobScope.ALL : p.scope();
    }

    /** True when the caller may see job {@code job}. */
    static boolean allows(RoutingContext ctx, String job) {
        return scope(ctx).allows(job);
    }

    /**
     * The scope check of a route that names a job ({@code {name}}) or a run ({@code {id}}): fails with 404 when the
     * job, or the run's job, is outside the caller's scope. A run that does not exist passes (its handler answers 404).
     */
    static Future<Void> checkPath(RoutingContext ctx, Replies replies, RunLookup runs) {
        JobScope scope = scope(ctx);
        if (scope.unrestricted()) {
            return Future.succeededFuture();
        }
        String job = ctx.pathParam("name");
        if (job != null) {
            return scope.allows(job) ? Future.succeededFuture() : Future.failedFuture(hiddenJob(job));
        }
        String runId = ctx.pathParam("id");
        if (runId == null) {
            return Future.succeededFuture();
        }
        return replies.blocking(() -> runs.runOrPending(runId)).compose(v -> v == null || scope.allows(v.job)
                ? Future.succeededFuture() : Future.failedFuture(ApiError.notFound("no run " + runId)));
    }

    static ApiError hiddenJob(String job) {
        return ApiError.notFound("no job " + job);
    }

    /**
     * {@link ReadModel#runs} for a scoped caller: pages through the read model, keeps runs of jobs in {@code scope},
     * and returns at most {@code q.limit()} of them with a cursor after the last one kept. Blocking.
     */
    static ReadModel.Page<RunView> runs(ReadStores model, ReadModel.RunQuery q, JobScope scope) {
        if (scope.unrestricted()) {
            return model.runs(q);
        }
        if (q.job() != null && !scope.allows(q.job())) {
            return new ReadModel.Page<>(List.of(), null);
        }
        List<RunView> out = new ArrayList<>();
        int toSkip = q.offset();
        String after = q.after();
        int batch = Math.max(q.limit(), 100);
        while (true) {
            ReadModel.Page<RunView> page = model.runs(new ReadModel.RunQuery(q.job(), q.statuses(), after, 0, batch));
            for (RunView v : page.items()) {
                if (!scope.allows(v.job)) {
                    continue;
                }
                if (toSkip > 0) {
                    toSkip--;
                    continue;
                }
                if (out.size() == q.limit()) {
                    RunView last = out.get(out.size() - 1);
                    return new ReadModel.Page<>(out, Keys.runOrder(last.requestedAt, last.runId));
                }
                out.add(v);
            }
            if (page.nextCursor() == null || page.items().isEmpty()) {
                return new ReadModel.Page<>(out, null);
            }
            after = page.nextCursor();
        }
    }
}
